package io.parcel.kernel;

/** Where one file of a download stands. */
public enum FileState {
    PENDING, DESCRIBING, RUNNING, VERIFYING,
    /** Downloaded, verified and in place. */
    DONE,
    /** Already complete at the destination; nothing was transferred. */
    SKIPPED,
    FAILED;

    public boolean isFinal() {
        return this == DONE || this == SKIPPED || this == FAILED;
    }
}
