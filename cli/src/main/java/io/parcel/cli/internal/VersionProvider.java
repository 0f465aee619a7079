package io.parcel.cli.internal;

import picocli.CommandLine.IVersionProvider;

/** The version from the cli jar's manifest (Implementation-Version), as {@code --version} and {@code version} show it. */
public final class VersionProvider implements IVersionProvider {
    public static String version() {
        String version = VersionProvider.class.getPackage().getImplementationVersion();
        return version == null ? "development build" : version;
    }

    public static String runtime() {
        return "Java " + Runtime.version() + " (" + System.getProperty("java.vendor", "unknown vendor") + ") at "
                + System.getProperty("java.home") + "; " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch");
    }

    @Override
    public String[] getVersion() {
        return new String[] {"parcel " + version()};
    }
}
