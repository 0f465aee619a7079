package io.parcel.cli.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import io.parcel.cli.CliEnvironment;

/** The original Parcel's interactive mode: {@code parcel} on a terminal asks for what to download. */
public final class InteractivePrompt {
    /** Far more than anyone types; bounds the loop. */
    static final int MAX_LINES = 100_000;

    private InteractivePrompt() {
    }

    /**
     * Reads URLs or file IDs, one per line (blanks inside a line separate several), until an empty line or the end
     * of input.
     */
    public static List<String> ask(CliEnvironment environment) {
        environment.out().println("Enter URLs or file IDs, one per line; an empty line starts the download.");
        List<String> locators = new ArrayList<>();
        try {
            for (int line = 0; line < MAX_LINES; line++) {
                environment.out().print("> ");
                environment.out().flush();
                String text = environment.in().readLine();
                if (text == null || text.isBlank()) {
                    break;
                }
                for (String word : text.strip().split("\\s+")) {
                    locators.add(word);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read from the terminal: " + e.getMessage(), e);
        }
        return List.copyOf(locators);
    }
}
