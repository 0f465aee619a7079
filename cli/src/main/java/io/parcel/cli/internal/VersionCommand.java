package io.parcel.cli.internal;

import io.parcel.cli.CliEnvironment;
import picocli.CommandLine.Command;

@Command(name = "version", description = "Print the version of Parcel and of the Java runtime it runs on.",
        mixinStandardHelpOptions = true, versionProvider = VersionProvider.class)
public final class VersionCommand extends BaseCommand {
    public VersionCommand(CliEnvironment environment) {
        super(environment);
    }

    @Override
    protected int execute() {
        environment.out().println("parcel " + VersionProvider.version());
        environment.out().println(VersionProvider.runtime());
        return 0;
    }
}
