package io.parcel.cli.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.parcel.cli.CliEnvironment;
import io.parcel.cli.PluginOptions;
import io.parcel.kernel.Kernel;
import io.parcel.kernel.PluginInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code parcel plugins}: what the kernel found, where from, and whether it can run here. */
@Command(name = "plugins", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"List the plugins found and whether they can run here.",
            "%nTransports, sources and sinks come from the class path (the built-in ones) and from "
                    + "$PARCEL_HOME/plugins/<name>/*.jar and --plugins-dir DIR/<name>/*.jar.%n"})
public final class PluginsCommand extends BaseCommand {
    @Mixin
    private PluginOptions plugins = new PluginOptions();

    public PluginsCommand(CliEnvironment environment) {
        super(environment);
    }

    @Override
    protected int execute() throws Exception {
        try (Kernel kernel = plugins.startKernel(environment)) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"NAME", "KIND", "VERSION", "ORIGIN", "STATUS"});
            for (PluginInfo plugin : kernel.plugins()) {
                rows.add(new String[] {plugin.name(), plugin.kind().label(), plugin.version(), plugin.origin(),
                        plugin.unavailableReason().map(reason -> "unavailable: " + reason).orElse("available")});
            }
            printTable(rows);
        }
        return 0;
    }

    private void printTable(List<String[]> rows) {
        int[] widths = new int[rows.get(0).length - 1];
        for (String[] row : rows) {
            for (int column = 0; column < widths.length; column++) {
                widths[column] = Math.max(widths[column], row[column].length());
            }
        }
        StringBuilder format = new StringBuilder();
        for (int width : widths) {
            format.append("%-").append(width).append("s  ");
        }
        format.append("%s");
        for (String[] row : rows) {
            environment.out().println(String.format(Locale.ROOT, format.toString(), (Object[]) row).stripTrailing());
        }
        environment.out().flush();
    }
}
