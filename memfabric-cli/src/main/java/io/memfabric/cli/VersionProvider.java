package io.memfabric.cli;

import picocli.CommandLine;

/** Prints memfabric's version (from the jar manifest) and the JDK it runs on. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = MemFabricCommand.class.getPackage().getImplementationVersion();
        return new String[] {
            "memfabric " + (version == null ? "(development build)" : version),
            "JDK " + Runtime.version() + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.home") + ")"
        };
    }
}
