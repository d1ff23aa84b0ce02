package io.memfabric.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dependencies point down only (DESIGN §2, STYLE B1). The Maven modules enforce the arrows between layers (a module
 * cannot import what it does not depend on); these rules hold the arrows inside a module (transport and copy share
 * {@code memfabric-transport}) and restate the layer rules, so that a dependency added to a pom cannot quietly turn
 * an arrow around. Rules about packages that do not exist yet hold vacuously and bite as soon as the first class
 * appears.
 */
@Timeout(60)
class DependencyRulesTest {
    private static JavaClasses production;

    @BeforeAll
    static void importClasses() {
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.memfabric");
        // Guard against a silent empty import (e.g. class files newer than the importer understands).
        assertTrue(production.contain("io.memfabric.copy.CopyEngine")
                && production.contain("io.memfabric.bm.BigMemory"), production::toString);
    }

    @Test
    void storeDependsOnlyOnCommonNettyAndTheJdk() {
        classes().that().resideInAPackage("io.memfabric.store..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(
                        "io.memfabric.store..", "io.memfabric.error..", "io.memfabric.config..",
                        "io.memfabric.common..", "io.netty..", "org.slf4j..", "java..", "javax..", "jdk.internal..")
                .because("the store is usable on its own (DESIGN §2)")
                .check(production);
    }

    @Test
    void memoryAndTransportNeverSeeTheStoreOrTheGroup() {
        noClasses().that().resideInAnyPackage("io.memfabric.memory..", "io.memfabric.transport..")
                .should().dependOnClassesThat().resideInAnyPackage("io.memfabric.store..", "io.memfabric.group..")
                .because("peers' descriptors reach memory and transports as plain records (DESIGN §2)")
                .allowEmptyShould(true)
                .check(production);
    }

    @Test
    void groupDependsOnlyOnTheStoreAndCommon() {
        classes().that().resideInAPackage("io.memfabric.group..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(
                        "io.memfabric.group..", "io.memfabric.store..", "io.memfabric.error..",
                        "io.memfabric.config..", "io.memfabric.common..", "org.slf4j..", "java..")
                .because("group sits below bm, trans and shm and beside copy (DESIGN §2)")
                .check(production);
    }

    @Test
    void nothingBelowBigMemoryDependsOnIt() {
        noClasses().that().resideInAnyPackage("io.memfabric.store..", "io.memfabric.group..", "io.memfabric.memory..",
                        "io.memfabric.transport..", "io.memfabric.copy..", "io.memfabric.nativeio..")
                .should().dependOnClassesThat().resideInAPackage("io.memfabric.bm..")
                .because("bm is one of the product APIs at the top of the layers (DESIGN §2)")
                .check(production);
    }

    @Test
    void copyNeverSeesTheStoreOrTheGroup() {
        noClasses().that().resideInAPackage("io.memfabric.copy..")
                .should().dependOnClassesThat().resideInAnyPackage("io.memfabric.store..", "io.memfabric.group..")
                .because("the copy engine moves bytes to targets it is given; membership comes from the layer above")
                .check(production);
    }

    @Test
    void transportsNeverSeeTheCopyEngine() {
        noClasses().that().resideInAPackage("io.memfabric.transport..")
                .should().dependOnClassesThat().resideInAPackage("io.memfabric.copy..")
                .because("the copy engine chooses among the transports; a transport knows only its own link")
                .check(production);
    }

    @Test
    void transportInternalsStayInsideTheTransportModule() {
        noClasses().that().resideOutsideOfPackages("io.memfabric.transport..", "io.memfabric.copy..")
                .should().dependOnClassesThat().resideInAnyPackage("io.memfabric.transport.tcp..",
                        "io.memfabric.transport.shm..", "io.memfabric.transport.cma..")
                .because("the transports are internals of memfabric-transport: the layers above reach memory "
                        + "through the copy engine only")
                .check(production);
    }

    @Test
    void nativeBindingsStayInsideTheLayersThatMoveMemory() {
        noClasses().that().resideOutsideOfPackages("io.memfabric.nativeio..", "io.memfabric.memory..",
                        "io.memfabric.transport..", "io.memfabric.copy..")
                .should().dependOnClassesThat().resideInAPackage("io.memfabric.nativeio..")
                .because("system calls are internals of memory and transport; the layers above see their results")
                .check(production);
    }

    @Test
    void nativeBindingsDependOnlyOnTheJdkLoggingAndErrors() {
        classes().that().resideInAPackage("io.memfabric.nativeio..")
                .should().onlyDependOnClassesThat()
                .resideInAnyPackage("io.memfabric.nativeio..", "io.memfabric.error..", "io.memfabric.common..",
                        "java..", "org.slf4j..")
                .because("the native bindings sit at the bottom of the memory layer")
                .check(production);
    }

    @Test
    void commonDependsOnNothingOfMemfabric() {
        noClasses().that().resideInAnyPackage("io.memfabric.common..", "io.memfabric.error..",
                        "io.memfabric.config..")
                .should().dependOnClassesThat().resideInAnyPackage("io.memfabric.store..", "io.memfabric.group..",
                        "io.memfabric.memory..", "io.memfabric.transport..", "io.memfabric.copy..",
                        "io.memfabric.bm..", "io.memfabric.trans..", "io.memfabric.shm..", "io.memfabric.cli..")
                .because("common imports nothing (STYLE B1)")
                .check(production);
    }
}
