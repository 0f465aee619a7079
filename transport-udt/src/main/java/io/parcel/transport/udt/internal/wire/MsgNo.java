package io.parcel.transport.udt.internal.wire;

/** Message numbers: 29 bits; a sender numbers messages from 1 and wraps from {@link #MAX} back to 1, never 0. */
public final class MsgNo {
    public static final int MAX = 0x1FFFFFFF;
    public static final int THRESHOLD = 0x0FFFFFFF;

    private MsgNo() {
    }

    public static int compare(int a, int b) {
        return Math.abs(a - b) < THRESHOLD ? a - b : b - a;
    }

    public static int increment(int msgNo) {
        return msgNo >= MAX ? 1 : msgNo + 1;
    }
}
