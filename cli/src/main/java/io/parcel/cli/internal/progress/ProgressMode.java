package io.parcel.cli.internal.progress;

import java.util.Locale;

/** How progress is shown: {@code --progress=auto|bar|plain|json}. */
public enum ProgressMode {
    /** {@link #BAR} on a terminal, else {@link #PLAIN}. */
    AUTO,
    /** Lines redrawn in place: one per active file and a total. */
    BAR,
    /** A line per file every few seconds and at every change of state; for logs and pipes. */
    PLAIN,
    /** One JSON object per line per tick, and a final summary object. */
    JSON;

    public static ProgressMode parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid value for option 'progress': '" + text
                    + "' (expected auto, bar, plain or json)", e);
        }
    }

    /** {@link #AUTO} made concrete. */
    public ProgressMode resolve(boolean terminal) {
        return this == AUTO ? (terminal ? BAR : PLAIN) : this;
    }
}
