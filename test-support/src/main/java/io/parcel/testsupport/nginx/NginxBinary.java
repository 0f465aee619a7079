package io.parcel.testsupport.nginx;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.opentest4j.TestAbortedException;

/** Finds the nginx executable, or decides what its absence means: a skip on a developer machine, a failure in CI. */
final class NginxBinary {
    private NginxBinary() {
    }

    static Path locate() {
        Optional<Path> found = Optional.ofNullable(System.getenv("NGINX_BIN"))
                .map(Path::of)
                .or(() -> Optional.of(NginxServer.DEFAULT_NGINX))
                .filter(Files::isExecutable);
        return found.orElseThrow(() -> missing("nginx", "nginx"));
    }

    static RuntimeException missing(String program, String debianPackage) {
        String message = program + " is not installed (looked for " + describe(program)
                + "); install it with: apt-get install " + debianPackage;
        if (System.getenv("CI") != null) {
            // CI installs its tools first; a missing one there is a broken pipeline, not a reason to skip.
            return new IllegalStateException("CI is set but " + message);
        }
        return new TestAbortedException(message);
    }

    private static String describe(String program) {
        return "nginx".equals(program)
                ? "$NGINX_BIN or " + NginxServer.DEFAULT_NGINX
                : program + " on PATH";
    }
}
