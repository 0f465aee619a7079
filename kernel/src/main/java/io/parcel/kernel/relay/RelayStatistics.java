package io.parcel.kernel.relay;

import java.util.Locale;

/**
 * Totals of one server ({@code serve} or a tunnel) since it started, for a status line.
 *
 * @param accepted  connections accepted and admitted
 * @param refused   connections refused: over the limit, bad preamble, token, allow list, unreachable upstream
 * @param active    connections open now
 * @param bytesUp   bytes from clients to upstreams (the accepting side to the far side)
 * @param bytesDown bytes from upstreams back to clients
 */
public record RelayStatistics(long accepted, long refused, int active, long bytesUp, long bytesDown) {
    /** One line: "3 active, 120 accepted, 2 refused, 1.2 MB up, 4.0 GB down". */
    public String statusLine() {
        return active + " active, " + accepted + " accepted, " + refused + " refused, " + bytes(bytesUp) + " up, "
                + bytes(bytesDown) + " down";
    }

    static String bytes(long count) {
        if (count < 1000) {
            return count + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB", "PB", "EB"};
        double value = count;
        int unit = -1;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
