package io.memfabric.memory;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.memfabric.nativeio.CrossMemoryAttach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DESIGN §2: memory and the native bindings sit at the bottom of core. They never see the store (peers' descriptors
 * reach them as plain records), and the native bindings depend on nothing of memfabric but its errors.
 */
@Timeout(60)
class MemoryLayeringTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.memfabric.memory", "io.memfabric.nativeio");
        // Guard against a silent empty import (e.g. class files newer than the importer understands).
        assertTrue(classes.contain(ShmSlot.class) && classes.contain(CrossMemoryAttach.class), classes.toString());
    }

    @Test
    void memoryAndNativeBindingsShouldNeverSeeTheStore() {
        noClasses().that().resideInAnyPackage("io.memfabric.memory..", "io.memfabric.nativeio..")
                .should().dependOnClassesThat().resideInAnyPackage("io.memfabric.store..")
                .check(classes);
    }

    @Test
    void nativeBindingsShouldDependOnlyOnTheJdkLoggingAndErrors() {
        classes().that().resideInAPackage("io.memfabric.nativeio..")
                .should().onlyDependOnClassesThat()
                .resideInAnyPackage("io.memfabric.nativeio..", "io.memfabric.error..", "java..", "org.slf4j..")
                .check(classes);
    }
}
