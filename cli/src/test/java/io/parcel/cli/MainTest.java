package io.parcel.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.parcel.cli.internal.DownloadSettings;
import io.parcel.spi.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    @TempDir
    Path directory;

    @Test
    void withoutACommandTheArgumentsMeanDownload() throws Exception {
        CapturedEnvironment captured = CapturedEnvironment.in(directory);
        CommandLine commandLine = Main.commandLine(captured.environment());
        assertEquals(List.of("download", "-t", "token_file", "id1", "id2"),
                Main.arguments(commandLine, captured.environment(), List.of("-t", "token_file", "id1", "id2")));
        assertEquals(List.of("download", "https://example.org/a"),
                Main.arguments(commandLine, captured.environment(), List.of("https://example.org/a")));
        assertEquals(List.of("plugins"), Main.arguments(commandLine, captured.environment(), List.of("plugins")));
        assertEquals(List.of("--version"), Main.arguments(commandLine, captured.environment(), List.of("--version")));
    }

    @Test
    void loggingOptionsMayComeBeforeTheCommandName() throws Exception {
        CapturedEnvironment captured = CapturedEnvironment.in(directory);
        CommandLine commandLine = Main.commandLine(captured.environment());
        assertEquals(List.of("plugins", "--debug"),
                Main.arguments(commandLine, captured.environment(), List.of("--debug", "plugins")));
        assertEquals(List.of("plugins", "--log-file", "x.log", "--debug", "--plugins-dir", "p"),
                Main.arguments(commandLine, captured.environment(),
                        List.of("--log-file", "x.log", "--debug", "plugins", "--plugins-dir", "p")));
        assertEquals(List.of("plugins", "--log-file=x.log"),
                Main.arguments(commandLine, captured.environment(), List.of("--log-file=x.log", "plugins")));
        // Anything else first keeps the original form: an ID that happens to be named like a command is downloaded.
        assertEquals(List.of("download", "-n", "2", "plugins"),
                Main.arguments(commandLine, captured.environment(), List.of("-n", "2", "plugins")));
        assertEquals(List.of("download", "--debug", "id1"),
                Main.arguments(commandLine, captured.environment(), List.of("--debug", "id1")));
    }

    @Test
    void theOriginalFormParsesLikeDownload() throws Exception {
        CapturedEnvironment captured = CapturedEnvironment.in(directory);
        Options bare = optionsOf(captured, "-t", "token_file", "-n", "3", "id1", "id2");
        Options explicit = optionsOf(captured, "download", "--token-file", "token_file", "--connections", "3",
                "id1", "id2");
        assertEquals(explicit, bare);
        assertEquals(directory.resolve("token_file").toString(), bare.asMap().get("token-file"));
        assertEquals("3", bare.asMap().get("connections"));
    }

    @Test
    void everyDownloadOptionMapsToItsSharedName() throws Exception {
        Files.createDirectories(directory.resolve("out"));
        Options options = optionsOf(CapturedEnvironment.in(directory), "download",
                "-d", "out", "-t", "tok", "-H", "X-One: 1", "--header", "X-Two: 2", "-s", "https://api.example.org",
                "-n", "4", "--segment-size", "8M", "--retries", "2", "--timeout", "5s", "--connect-timeout", "2s",
                "--limit-rate", "10M", "--parallel-files", "2", "--no-verify", "--overwrite", "--transport", "udt",
                "--ca-file", "ca.pem", "--max-redirects", "3", "id");
        assertEquals(directory.resolve("out").toString(), options.asMap().get("dir"));
        assertEquals(directory.resolve("tok").toString(), options.asMap().get("token-file"));
        assertEquals("X-One: 1\nX-Two: 2", options.asMap().get("header"));
        assertEquals("https://api.example.org", options.asMap().get("server-url"));
        assertEquals("4", options.asMap().get("connections"));
        assertEquals("8M", options.asMap().get("segment-size"));
        assertEquals("2", options.asMap().get("retries"));
        assertEquals("5s", options.asMap().get("timeout"));
        assertEquals("2s", options.asMap().get("connect-timeout"));
        assertEquals("10M", options.asMap().get("limit-rate"));
        assertEquals("2", options.asMap().get("parallel-files"));
        assertEquals("false", options.asMap().get("verify"));
        assertEquals("true", options.asMap().get("overwrite"));
        assertEquals("udt", options.asMap().get("transport"));
        assertEquals(directory.resolve("ca.pem").toString(), options.asMap().get("ca-file"));
        assertEquals("3", options.asMap().get("max-redirects"));
    }

    @Test
    void unsetOptionsAreLeftToTheirDefaultsExceptTheDirectory() throws Exception {
        Options options = optionsOf(CapturedEnvironment.in(directory), "download", "id");
        assertEquals(java.util.Map.of("dir", directory.toString()), options.asMap());
    }

    @Test
    void noArgumentsWithoutATerminalPrintsUsageAndExitsTwo() {
        CapturedEnvironment captured = CapturedEnvironment.in(directory);
        assertEquals(2, captured.run());
        assertTrue(captured.err().contains("Usage: parcel"), captured.err());
    }

    @Test
    void noArgumentsOnATerminalAsksForLocators() throws Exception {
        CapturedEnvironment captured = CapturedEnvironment.terminal(directory, "https://example.org/a\n id1  id2 \n\nlater\n");
        List<String> arguments = Main.arguments(Main.commandLine(captured.environment()), captured.environment(),
                List.of());
        assertEquals(List.of("download", "--", "https://example.org/a", "id1", "id2"), arguments);
        assertTrue(captured.out().contains("one per line"), captured.out());
    }

    @Test
    void nothingEnteredOnATerminalIsAUsageError() {
        CapturedEnvironment captured = CapturedEnvironment.terminal(directory, "\n");
        assertEquals(2, captured.run());
        assertTrue(captured.err().startsWith("parcel: nothing to download"), captured.err());
    }

    @Test
    void nothingToDownloadExitsTwo() {
        CapturedEnvironment captured = CapturedEnvironment.in(directory);
        assertEquals(2, captured.run("download", "-n", "4"));
        assertTrue(captured.err().startsWith("parcel: nothing to download"), captured.err());
        assertEquals(1, captured.err().lines().count(), captured.err());
    }

    @Test
    void aFileIdWithoutServerUrlIsAUsageError() {
        CapturedEnvironment captured = CapturedEnvironment.in(directory);
        assertEquals(2, captured.run("-t", "token_file", "https://example.org/a", "abc-123"));
        assertEquals("parcel: 'abc-123' is not a URL, so it is taken as a file ID, which needs --server-url (or"
                + " server-url in the config file)" + System.lineSeparator(), captured.err());
    }

    @Test
    void anUnknownOptionExitsTwoWithAHint() {
        CapturedEnvironment captured = CapturedEnvironment.in(directory);
        assertEquals(2, captured.run("download", "--bogus", "id"));
        assertTrue(captured.err().startsWith("parcel: Unknown option: '--bogus'"), captured.err());
        assertTrue(captured.err().contains("parcel download --help"), captured.err());
    }

    @Test
    void aBadValueExitsTwoNamingTheOption() {
        CapturedEnvironment captured = CapturedEnvironment.in(directory);
        assertEquals(2, captured.run("-n", "many", "id"));
        assertTrue(captured.err().startsWith("parcel: option --connections: invalid value for option 'connections'"),
                captured.err());
        CapturedEnvironment zero = CapturedEnvironment.in(directory);
        assertEquals(2, zero.run("-n", "0", "id"));
        assertTrue(zero.err().contains("must be at least 1"), zero.err());
        CapturedEnvironment progress = CapturedEnvironment.in(directory);
        assertEquals(2, progress.run("--progress=fancy", "id"));
        assertTrue(progress.err().contains("expected auto, bar, plain or json"), progress.err());
    }

    @Test
    void aHeaderWithoutNameIsRejectedWithoutEchoingItsValue() {
        CapturedEnvironment captured = CapturedEnvironment.in(directory);
        assertEquals(2, captured.run("-H", "secret-token-value", "id"));
        assertTrue(captured.err().contains("invalid header"), captured.err());
        assertFalse(captured.err().contains("secret-token-value"), captured.err());
    }

    @Test
    void aMissingManifestExitsTwo() {
        CapturedEnvironment captured = CapturedEnvironment.in(directory);
        assertEquals(2, captured.run("-m", "missing.tsv"));
        assertTrue(captured.err().startsWith("parcel: manifest " + directory.resolve("missing.tsv")), captured.err());
    }

    @Test
    void versionAndHelpExitZero() {
        CapturedEnvironment version = CapturedEnvironment.in(directory);
        assertEquals(0, version.run("--version"));
        assertTrue(version.out().startsWith("parcel "), version.out());
        CapturedEnvironment command = CapturedEnvironment.in(directory);
        assertEquals(0, command.run("version"));
        assertTrue(command.out().contains("Java "), command.out());
        CapturedEnvironment help = CapturedEnvironment.in(directory);
        assertEquals(0, help.run("download", "--help"));
        assertTrue(help.out().contains("Exit codes:"), help.out());
        assertTrue(help.out().contains("--token-file"), help.out());
    }

    @Test
    void parcelsOwnHelpListsEveryCommandThoughARunBuildsOnlyTheOneItNames() {
        List<String> names = Main.COMMANDS.stream()
                .map(type -> type.getAnnotation(CommandLine.Command.class).name()).toList();
        for (String[] form : List.of(new String[] {"--help"}, new String[] {"help"})) {
            CapturedEnvironment help = CapturedEnvironment.in(directory);
            assertEquals(0, help.run(form));
            for (String name : names) {
                assertTrue(help.out().contains("  " + name + " "), name + " missing from parcel " + form[0] + ":\n"
                        + help.out());
            }
        }
        CapturedEnvironment helpOnOne = CapturedEnvironment.in(directory);
        assertEquals(0, helpOnOne.run("help", "serve"));
        assertTrue(helpOnOne.out().startsWith("Usage: parcel serve "), helpOnOne.out());
        CapturedEnvironment nested = CapturedEnvironment.in(directory);
        assertEquals(0, nested.run("tunnel", "tcp2udt", "--help"));
        assertTrue(nested.out().startsWith("Usage: parcel tunnel tcp2udt "), nested.out());
        CapturedEnvironment usage = CapturedEnvironment.in(directory);
        assertEquals(2, usage.run());
        assertTrue(usage.err().contains("  perf "), usage.err());
        CapturedEnvironment versionAndHelp = CapturedEnvironment.in(directory);
        assertEquals(0, versionAndHelp.run("--version", "--help"));
        assertTrue(versionAndHelp.out().contains("  tunnel "), versionAndHelp.out());
    }

    @Test
    void aMissingCommandIsAUsageError() {
        assertThrows(CommandLine.ParameterException.class, () -> Main.commandLine(CapturedEnvironment.in(directory)
                .environment()).parseArgs("download", "--connections"));
    }

    private static Options optionsOf(CapturedEnvironment captured, String... args) throws Exception {
        CommandLine commandLine = Main.commandLine(captured.environment());
        List<String> arguments = Main.arguments(commandLine, captured.environment(), List.of(args));
        ParseResult parsed = commandLine.parseArgs(arguments.toArray(String[]::new)).subcommand();
        return DownloadSettings.resolve(DownloadSettings.fromCommandLine(parsed),
                io.parcel.cli.internal.ConfigFile.none()).options(captured.environment());
    }
}
