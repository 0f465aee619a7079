package io.parcel.cli.internal;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The top of the command tree; it only shows help. Without a command, {@code parcel ARGS} means {@code parcel download ARGS}. */
@Command(name = "parcel", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        synopsisHeading = "Usage: ",
        customSynopsis = {
            "parcel COMMAND [OPTIONS] [ARGS]...",
            "   or: parcel [DOWNLOAD OPTIONS] (URL | FILE_ID)...   (means 'parcel download')",
            "   or: parcel                        on a terminal: asks for URLs or file IDs",
        },
        description = {"", "Moves large data fast across long, lossy networks: segmented, resumable, verified downloads.", ""},
        commandListHeading = "%nCommands:%n",
        footerHeading = "%n",
        footer = {"Run 'parcel COMMAND --help' for the options of a command."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every file downloaded and verified (or already complete)",
            "1:a transfer or a verification failed, or an unexpected error",
            "2:usage or configuration error (bad option, manifest, config file, plugin); nothing was transferred",
        })
public final class ParcelCommand implements Runnable {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command");
    }
}
