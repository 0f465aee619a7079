/**
 * A real nginx for end-to-end tests: {@link io.parcel.testsupport.nginx.NginxServer} starts one per test on a
 * loopback port, with token checks, GDC-like {@code /data/<id>} locations, TLS and a no-Range switch.
 */
package io.parcel.testsupport.nginx;
