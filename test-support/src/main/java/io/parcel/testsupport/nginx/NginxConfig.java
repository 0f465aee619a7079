package io.parcel.testsupport.nginx;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Renders the nginx.conf of one {@link NginxServer}; every path lives under the server's own prefix. */
final class NginxConfig {
    /** Space-separated and parsed by {@link AccessLogEntry}; the request URI goes last (it cannot hold spaces). */
    static final String LOG_FORMAT =
            "$msec $request_method $status $body_bytes_sent $request_time \"$http_range\" $request_uri";

    private final Path root;
    private final List<NginxServer.DataFile> dataFiles;
    private final Optional<String> token;
    private final boolean ranges;
    private final Optional<Long> limitRate;
    private final Optional<TestCertificateAuthority.Material> certificates;
    private final boolean runAsRoot;

    NginxConfig(Path root, List<NginxServer.DataFile> dataFiles, Optional<String> token, boolean ranges,
                Optional<Long> limitRate, Optional<TestCertificateAuthority.Material> certificates, boolean runAsRoot) {
        this.root = requireNonNull(root, "root is null");
        this.dataFiles = List.copyOf(requireNonNull(dataFiles, "dataFiles is null"));
        this.token = requireNonNull(token, "token is null");
        this.ranges = ranges;
        this.limitRate = requireNonNull(limitRate, "limitRate is null");
        this.certificates = requireNonNull(certificates, "certificates is null");
        this.runAsRoot = runAsRoot;
    }

    String render(Path prefix, int port) {
        StringBuilder conf = new StringBuilder();
        conf.append("# Written by io.parcel.testsupport.nginx.NginxServer for one test; deleted on close.\n");
        conf.append("daemon off;\n");
        conf.append("worker_processes 2;\n");
        if (runAsRoot) {
            // Workers would otherwise run as nobody and could not read the tests' private temp directories.
            conf.append("user root;\n");
        }
        conf.append("pid ").append(quote(prefix.resolve("nginx.pid"))).append(";\n");
        conf.append("error_log ").append(quote(prefix.resolve("logs/error.log"))).append(" warn;\n");
        conf.append("events { worker_connections 512; }\n");
        conf.append("http {\n");
        conf.append("    default_type application/octet-stream;\n");
        conf.append("    log_format parcel '").append(LOG_FORMAT).append("';\n");
        conf.append("    access_log ").append(quote(prefix.resolve("logs/access.log"))).append(" parcel;\n");
        for (String temp : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            conf.append("    ").append(temp).append("_temp_path ")
                    .append(quote(prefix.resolve("tmp/" + temp))).append(";\n");
        }
        conf.append("    sendfile on;\n");
        conf.append("    server_tokens off;\n");
        conf.append("    keepalive_timeout 30s;\n");
        conf.append("    send_timeout 30s;\n");
        if (!ranges) {
            conf.append("    max_ranges 0;\n");
        }
        limitRate.ifPresent(rate -> conf.append("    limit_rate ").append(rate).append(";\n"));
        token.ifPresent(value -> conf.append("    map $http_x_auth_token $parcel_auth {\n")
                .append("        default 403;\n")
                .append("        \"\" 401;\n")
                .append("        \"").append(value).append("\" ok;\n")
                .append("    }\n"));
        conf.append("    server {\n");
        conf.append("        listen 127.0.0.1:").append(port).append(certificates.isPresent() ? " ssl" : "").append(";\n");
        conf.append("        server_name localhost;\n");
        certificates.ifPresent(tls -> conf
                .append("        ssl_certificate ").append(quote(tls.serverCertificate())).append(";\n")
                .append("        ssl_certificate_key ").append(quote(tls.serverKey())).append(";\n")
                .append("        ssl_protocols TLSv1.2 TLSv1.3;\n"));
        if (token.isPresent()) {
            // Server-level rewrite phase: runs before any location, so /data/ and / are both guarded.
            conf.append("        if ($parcel_auth = 401) { return 401; }\n");
            conf.append("        if ($parcel_auth = 403) { return 403; }\n");
        }
        conf.append("        root ").append(quote(root)).append(";\n");
        conf.append("        location / { }\n");
        conf.append("        location /data/ { return 404; }\n");
        for (NginxServer.DataFile file : dataFiles) {
            conf.append("        location = /data/").append(file.id()).append(" {\n");
            conf.append("            alias ").append(quote(file.file())).append(";\n");
            conf.append("            add_header Content-Disposition 'attachment; filename=\"")
                    .append(file.fileName()).append("\"';\n");
            file.contentMd5().ifPresent(md5 -> conf.append("            add_header Content-MD5 '").append(md5).append("';\n"));
            conf.append("        }\n");
        }
        conf.append("    }\n");
        conf.append("}\n");
        return conf.toString();
    }

    private static String quote(Path path) {
        String text = path.toAbsolutePath().toString();
        if (text.indexOf('"') >= 0 || text.indexOf('\\') >= 0 || text.indexOf('$') >= 0 || text.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("path cannot be written into nginx.conf: " + text);
        }
        return "\"" + text + "\"";
    }
}
