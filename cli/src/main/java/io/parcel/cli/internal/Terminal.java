package io.parcel.cli.internal;

import java.io.Console;
import java.lang.reflect.Method;

/** Whether the process talks to a person at a terminal. */
public final class Terminal {
    private Terminal() {
    }

    /**
     * True when standard input and output are a terminal. Since JDK 22 {@link System#console()} returns a console even
     * when the streams are redirected and {@code Console.isTerminal()} tells the truth; we build for 21, so that
     * method is looked up at run time.
     */
    public static boolean isInteractive() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true; // JDK 21: a non-null console is a terminal
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /** Columns of the terminal, from {@code COLUMNS} when the shell exports it, else 80. */
    public static int columns(java.util.Map<String, String> environment) {
        String columns = environment.get("COLUMNS");
        if (columns != null) {
            try {
                int value = Integer.parseInt(columns.trim());
                if (value >= 40 && value <= 1000) {
                    return value;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the default
            }
        }
        return 80;
    }
}
