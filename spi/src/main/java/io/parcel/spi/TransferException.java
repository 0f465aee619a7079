package io.parcel.spi;

/** A transfer went wrong: the remote end refused, the connection broke, the disk failed. Exit code 1. */
public class TransferException extends ParcelException {
    private static final long serialVersionUID = 1L;

    public TransferException(String message, boolean retryable) {
        super(message, ExitCode.FAILURE, retryable);
    }

    public TransferException(String message, boolean retryable, Throwable cause) {
        super(message, ExitCode.FAILURE, retryable, cause);
    }
}
