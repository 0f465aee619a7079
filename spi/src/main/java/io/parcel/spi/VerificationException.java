package io.parcel.spi;

/** The data arrived but is not what was promised (size or checksum). Exit code 1; retrying the same bytes cannot help. */
public class VerificationException extends ParcelException {
    private static final long serialVersionUID = 1L;

    public VerificationException(String message) {
        super(message, ExitCode.FAILURE, false);
    }
}
