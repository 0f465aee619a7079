package io.parcel.cli.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.parcel.cli.CapturedEnvironment;
import io.parcel.cli.CliEnvironment;
import io.parcel.cli.internal.progress.ProgressMode;
import io.parcel.kernel.relay.RelayOptions;
import io.parcel.spi.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DownloadSettingsTest {
    @TempDir
    Path directory;

    @Test
    void theCommandLineWinsOverTheConfigFile() throws Exception {
        ConfigFile config = config("""
                # defaults for the GDC
                server-url = https://api.example.org
                connections = 4
                header = X-One: 1
                header = X-Two: 2
                no-verify = true
                progress = json
                """);
        DownloadSettings settings = DownloadSettings.resolve(Map.of("connections", "6", "header", "X-Three: 3"), config);
        CliEnvironment environment = CapturedEnvironment.in(directory).environment();
        Map<String, String> options = settings.options(environment).asMap();
        assertEquals("6", options.get("connections"));
        assertEquals("X-Three: 3", options.get("header"));
        assertEquals("https://api.example.org", options.get("server-url"));
        assertEquals("false", options.get("verify"));
        assertEquals(ProgressMode.JSON, settings.progress());
    }

    @Test
    void relaySettingsReachTheRelayOptionsWithPathsResolved() throws Exception {
        ConfigFile config = config("via = relay.example.org:9000\nvia-token-file = relay.token\n");
        DownloadSettings settings = DownloadSettings.resolve(
                Map.of("via-ca-file", "certs/relay-ca.pem", "via-pin", "AB:CD"), config);
        Map<String, String> options = settings.options(CapturedEnvironment.in(directory).environment()).asMap();
        assertEquals("relay.example.org:9000", options.get(RelayOptions.VIA.name()));
        assertEquals(directory.resolve("relay.token").toString(), options.get(RelayOptions.VIA_TOKEN_FILE.name()));
        assertEquals(directory.resolve("certs/relay-ca.pem").toString(), options.get(RelayOptions.VIA_CA_FILE.name()));
        assertEquals("AB:CD", options.get(RelayOptions.VIA_PIN.name()));
    }

    @Test
    void aViaWithoutAPortIsRejectedNamingWhereItCameFrom() throws Exception {
        UsageException fromCommandLine = assertThrows(UsageException.class,
                () -> DownloadSettings.resolve(Map.of("via", "relay.example.org"), ConfigFile.none()));
        assertTrue(fromCommandLine.getMessage().startsWith("option --via: "), fromCommandLine.getMessage());
    }

    @Test
    void repeatedConfigLinesAccumulateForRepeatableKeysOnly() throws Exception {
        ConfigFile config = config("header = X-One: 1\nheader = X-Two: 2\nconnections = 2\nconnections = 3\n");
        Map<String, String> options = DownloadSettings.resolve(Map.of(), config)
                .options(CapturedEnvironment.in(directory).environment()).asMap();
        assertEquals("X-One: 1\nX-Two: 2", options.get("header"));
        assertEquals("3", options.get("connections"));
    }

    @Test
    void configPathsAreResolvedAndQuotesAndCommentsHandled() throws Exception {
        ConfigFile config = config("""
                ; another comment style
                --dir = "downloads"
                token-file = '~/token.txt'
                quiet = yes
                debug = off
                log-file = parcel.log
                """);
        DownloadSettings settings = DownloadSettings.resolve(Map.of(), config);
        Map<String, String> options = settings.options(CapturedEnvironment.in(directory).environment()).asMap();
        assertEquals(directory.resolve("downloads").toString(), options.get("dir"));
        assertEquals(directory.resolve("token.txt").toString(), options.get("token-file"));
        assertTrue(settings.quiet());
        assertFalse(settings.debug());
        assertEquals(Optional.of("parcel.log"), settings.logFile());
        assertFalse(options.containsKey("quiet"), "local settings are not passed to plugins");
    }

    @Test
    void anUnknownKeyNamesFileAndLine() throws Exception {
        Path path = directory.resolve("config");
        Files.writeString(path, "connections = 2\n\nconectons = 3\n");
        UsageException failure = assertThrows(UsageException.class,
                () -> ConfigFile.read(path, DownloadSettings.CONFIG_KEYS, DownloadSettings.REPEATABLE));
        assertTrue(failure.getMessage().startsWith("config " + path + " line 3: unknown option 'conectons'"),
                failure.getMessage());
    }

    @Test
    void aLineWithoutEqualsIsRejected() throws Exception {
        Path path = directory.resolve("config");
        Files.writeString(path, "connections 2\n");
        UsageException failure = assertThrows(UsageException.class,
                () -> ConfigFile.read(path, DownloadSettings.CONFIG_KEYS, DownloadSettings.REPEATABLE));
        assertEquals("config " + path + " line 1: expected 'key = value', found 'connections 2'", failure.getMessage());
    }

    @Test
    void aBadValueNamesWhereItCameFrom() throws Exception {
        ConfigFile config = config("retries = 1\nlimit-rate = fast\n");
        UsageException fromFile = assertThrows(UsageException.class, () -> DownloadSettings.resolve(Map.of(), config));
        assertTrue(fromFile.getMessage().startsWith("config " + config.path().orElseThrow()
                + " line 2: invalid value for option 'limit-rate': 'fast'"), fromFile.getMessage());
        UsageException fromCommandLine = assertThrows(UsageException.class,
                () -> DownloadSettings.resolve(Map.of("timeout", "soon"), ConfigFile.none()));
        assertTrue(fromCommandLine.getMessage().startsWith("option --timeout: invalid value for option 'timeout'"),
                fromCommandLine.getMessage());
    }

    @Test
    void theDefaultConfigFileFollowsXdg() throws Exception {
        Path xdg = directory.resolve("xdg");
        Files.createDirectories(xdg.resolve("parcel"));
        CliEnvironment environment = CapturedEnvironment.with(directory, Map.of("XDG_CONFIG_HOME", xdg.toString()))
                .environment();
        assertEquals(Optional.empty(), ConfigFile.defaultPath(environment));
        Files.writeString(xdg.resolve("parcel/config"), "connections = 2\n");
        assertEquals(Optional.of(xdg.resolve("parcel/config")), ConfigFile.defaultPath(environment));

        Files.createDirectories(directory.resolve(".config/parcel"));
        Files.writeString(directory.resolve(".config/parcel/config"), "connections = 3\n");
        assertEquals(Optional.of(directory.resolve(".config/parcel/config")),
                ConfigFile.defaultPath(CapturedEnvironment.in(directory).environment()));
    }

    @Test
    void theDefaultConfigFileIsUsedByDownload() throws Exception {
        Files.createDirectories(directory.resolve(".config/parcel"));
        Files.writeString(directory.resolve(".config/parcel/config"), "connections = zero\n");
        CapturedEnvironment captured = CapturedEnvironment.in(directory);
        assertEquals(2, captured.run("download", "id"));
        assertTrue(captured.err().startsWith("parcel: config " + directory.resolve(".config/parcel/config")
                + " line 1: invalid value for option 'connections'"), captured.err());
        // An explicit --config replaces the default file.
        Path explicit = directory.resolve("other.conf");
        Files.writeString(explicit, "bogus = 1\n");
        CapturedEnvironment second = CapturedEnvironment.in(directory);
        assertEquals(2, second.run("download", "--config", "other.conf", "id"));
        assertTrue(second.err().startsWith("parcel: config " + explicit + " line 1: unknown option 'bogus'"),
                second.err());
        CapturedEnvironment missing = CapturedEnvironment.in(directory);
        assertEquals(2, missing.run("download", "--config", "nowhere.conf", "id"));
        assertTrue(missing.err().startsWith("parcel: config " + directory.resolve("nowhere.conf")), missing.err());
    }

    @Test
    void headerValuesAreHiddenWhenOptionsAreDescribed() throws Exception {
        DownloadSettings settings = DownloadSettings.resolve(Map.of("header", "Authorization: Bearer s3cret"),
                ConfigFile.none());
        String described = DownloadSettings.describe(settings.options(CapturedEnvironment.in(directory).environment()));
        assertFalse(described.contains("s3cret"), described);
        assertTrue(described.contains("1 header(s)"), described);
    }

    @Test
    void pluginDirectoriesComeFromTheConfigFile() throws Exception {
        ConfigFile config = config("plugins-dir = /opt/a\nplugins-dir = /opt/b\n");
        assertEquals(List.of("/opt/a", "/opt/b"), DownloadSettings.resolve(Map.of(), config).pluginDirectories());
    }

    private ConfigFile config(String text) throws Exception {
        Path path = Files.createTempFile(directory, "config", ".conf");
        Files.writeString(path, text);
        return ConfigFile.read(path, DownloadSettings.CONFIG_KEYS, DownloadSettings.REPEATABLE);
    }
}
