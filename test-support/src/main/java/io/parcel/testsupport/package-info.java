/**
 * What Parcel's modules share in their tests.
 * <ul>
 *   <li>{@link io.parcel.testsupport.TestData} and {@link io.parcel.testsupport.Sha256}: deterministic data of
 *       any size by seed and position, and its checksums;</li>
 *   <li>{@link io.parcel.testsupport.TransportConformanceSuite}: the contract every transport passes (subclass
 *       it, supply the factory), with {@link io.parcel.testsupport.BlackHole} for connect timeouts;</li>
 *   <li>{@link io.parcel.testsupport.RangeHttpServer}: an in-JVM HTTP/1.1 server with ranges and fault
 *       injection, for fast end-to-end tests; {@link io.parcel.testsupport.TestTls} for HTTPS.</li>
 * </ul>
 * Nothing here talks to anything but loopback.
 */
package io.parcel.testsupport;
