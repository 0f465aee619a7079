package io.parcel.kernel;

import java.time.Duration;
import java.util.Optional;

/**
 * A snapshot of one file of a running or finished download, for progress displays and the summary.
 *
 * @param locator           as requested
 * @param name              file name (known after describing; the locator before)
 * @param location          where the finished file is or will be (empty before the destination is open)
 * @param size              total size, or -1 when unknown
 * @param doneBytes         bytes durably at the destination, including those from an earlier run
 * @param transferredBytes  bytes received in this run
 * @param activeConnections connections transferring right now
 * @param state             where it stands
 * @param elapsed           time since this file started (zero while pending)
 * @param error             one-line reason when {@link FileState#FAILED}
 * @param retrying          while {@link FileState#DESCRIBING}: why the last attempt failed and when the next one
 *                          starts (empty before the first failure); a transport that hears no refusal (UDP) otherwise
 *                          left the user without a word until every attempt had timed out. While
 *                          {@link FileState#RUNNING}: the same for the latest connection whose range waits to be tried
 *                          again from the byte it names (empty once it has a stream again); otherwise a server that
 *                          keeps cutting connections showed only as fewer connections
 * @param retries           failed attempts this run tried again so far, the describe's and every range's: a view
 *                          that samples {@code retrying} misses those that were over between two of its samples, and
 *                          a file that ends DONE after retries says so in its summary
 */
public record FileStatus(String locator, String name, Optional<String> location, long size, long doneBytes,
                         long transferredBytes, int activeConnections, FileState state, Duration elapsed,
                         Optional<String> error, Optional<String> retrying, int retries) {
}
