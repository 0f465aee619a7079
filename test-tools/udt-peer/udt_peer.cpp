// udt_peer: a small iperf-like peer built on the reference UDT4 library (Debian libudt-dev), used as the
// external truth for Parcel's pure-Java UDT transport (interop tests and benchmarks).
//
// The stream is plain bytes with no preamble, so `parcel perf` (or any UDT4 stream peer) can be the other side.
// Each run prints one JSON object on stdout: bytes, seconds, Mbit/s, SHA-256 of what was sent or received, and
// the library's own counters (UDT::perfmon). Exit codes follow Parcel's: 0 ok, 1 transfer failed, 2 usage.
//
// Data for --bytes/--time is a pattern of PATTERN_LENGTH (a prime, so a shifted or repeated block changes the
// hash) bytes drawn from splitmix64(seed), repeated; `parcel perf` generates the same stream.

#include <udt.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define UDT_PEER_HAVE_SHA_NI 1
#endif

namespace {

constexpr int EXIT_OK = 0;
constexpr int EXIT_FAILED = 1;
constexpr int EXIT_USAGE = 2;

constexpr size_t PATTERN_LENGTH = 1048573;  // largest prime below 2^20
constexpr size_t MAX_CHUNK = 1 << 20;

// ---------------------------------------------------------------------------------------------------------------
// SHA-256 (FIPS 180-4). A portable version, and one using the x86 SHA extensions when the CPU has them, because
// the portable one (~250 MB/s) would otherwise cap loopback runs below what libudt can move.

const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

inline uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void sha256_blocks_portable(uint32_t state[8], const uint8_t* data, size_t blocks) {
    uint32_t w[64];
    for (; blocks > 0; --blocks, data += 64) {
        for (int i = 0; i < 16; ++i) {
            w[i] = (uint32_t(data[4 * i]) << 24) | (uint32_t(data[4 * i + 1]) << 16) |
                   (uint32_t(data[4 * i + 2]) << 8) | uint32_t(data[4 * i + 3]);
        }
        for (int i = 16; i < 64; ++i) {
            uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
        uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
        for (int i = 0; i < 64; ++i) {
            uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i];
            uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
        }
        state[0] += a; state[1] += b; state[2] += c; state[3] += d;
        state[4] += e; state[5] += f; state[6] += g; state[7] += h;
    }
}

#ifdef UDT_PEER_HAVE_SHA_NI
// The SHA extensions keep the state as two vectors, ABEF and CDGH, and do two rounds per instruction. The message
// schedule lives in four vectors of four words; each new group is derived from the previous four.
__attribute__((target("sha,sse4.1,ssse3")))
void sha256_blocks_shani(uint32_t state[8], const uint8_t* data, size_t blocks) {
    const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i dcba = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[0]));
    __m128i hgfe = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[4]));
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);

    for (; blocks > 0; --blocks, data += 64) {
        const __m128i abef_saved = abef;
        const __m128i cdgh_saved = cdgh;
        __m128i w[4];
        for (int i = 0; i < 4; ++i) {
            w[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * i)), byte_swap);
        }
        for (int group = 0; group < 16; ++group) {
            __m128i current;
            if (group < 4) {
                current = w[group];
            } else {
                // W[t..t+3] from W[t-16..t-13], W[t-12..t-9], W[t-8..t-5], W[t-4..t-1].
                __m128i oldest = w[group & 3];
                __m128i older = w[(group + 1) & 3];
                __m128i middle = w[(group + 2) & 3];
                __m128i latest = w[(group + 3) & 3];
                __m128i partial = _mm_add_epi32(_mm_sha256msg1_epu32(oldest, older), _mm_alignr_epi8(latest, middle, 4));
                current = _mm_sha256msg2_epu32(partial, latest);
                w[group & 3] = current;
            }
            __m128i message = _mm_add_epi32(current, _mm_loadu_si128(reinterpret_cast<const __m128i*>(&K256[4 * group])));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, message);
            message = _mm_shuffle_epi32(message, 0x0E);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, message);
        }
        abef = _mm_add_epi32(abef, abef_saved);
        cdgh = _mm_add_epi32(cdgh, cdgh_saved);
    }

    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    dcba = _mm_blend_epi16(feba, dchg, 0xF0);
    hgfe = _mm_alignr_epi8(dchg, feba, 8);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[0]), dcba);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[4]), hgfe);
}

bool cpu_has_sha_ni() {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return false;
    bool sha = (ebx >> 29) & 1;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
    bool sse41 = (ecx >> 19) & 1;
    bool ssse3 = (ecx >> 9) & 1;
    return sha && sse41 && ssse3;
}
#endif

using BlockFunction = void (*)(uint32_t*, const uint8_t*, size_t);

class Sha256 {
public:
    explicit Sha256(BlockFunction blocks) : blocks_(blocks) { reset(); }

    void reset() {
        static const uint32_t initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                            0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
        std::memcpy(state_, initial, sizeof state_);
        buffered_ = 0;
        total_ = 0;
    }

    void update(const uint8_t* data, size_t length) {
        total_ += length;
        if (buffered_ > 0) {
            size_t take = std::min(length, size_t(64) - buffered_);
            std::memcpy(buffer_ + buffered_, data, take);
            buffered_ += take;
            data += take;
            length -= take;
            if (buffered_ < 64) return;
            blocks_(state_, buffer_, 1);
            buffered_ = 0;
        }
        size_t whole = length / 64;
        if (whole > 0) {
            blocks_(state_, data, whole);
            data += whole * 64;
            length -= whole * 64;
        }
        std::memcpy(buffer_, data, length);
        buffered_ = length;
    }

    std::string hex_digest() {
        uint64_t bits = total_ * 8;
        uint8_t pad[72] = {0x80};
        size_t pad_length = (buffered_ < 56 ? 56 : 120) - buffered_;
        uint8_t length_bytes[8];
        for (int i = 0; i < 8; ++i) length_bytes[i] = uint8_t(bits >> (56 - 8 * i));
        update(pad, pad_length);
        update(length_bytes, 8);
        char hex[65];
        for (int i = 0; i < 8; ++i) std::snprintf(hex + 8 * i, 9, "%08x", state_[i]);
        return std::string(hex, 64);
    }

private:
    BlockFunction blocks_;
    uint32_t state_[8];
    uint8_t buffer_[64];
    size_t buffered_;
    uint64_t total_;
};

std::string sha256_hex(BlockFunction blocks, const uint8_t* data, size_t length) {
    Sha256 sha(blocks);
    sha.update(data, length);
    return sha.hex_digest();
}

// Chooses the fastest implementation that agrees with the portable one and with a known answer.
BlockFunction choose_sha256(bool* accelerated) {
    *accelerated = false;
    const char* abc_digest = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    if (sha256_hex(sha256_blocks_portable, reinterpret_cast<const uint8_t*>("abc"), 3) != abc_digest) {
        std::fprintf(stderr, "udt_peer: portable SHA-256 self-test failed\n");
        std::exit(EXIT_FAILED);
    }
#ifdef UDT_PEER_HAVE_SHA_NI
    if (cpu_has_sha_ni() && std::getenv("UDT_PEER_PORTABLE_SHA") == nullptr) {
        std::vector<uint8_t> sample(4099);
        for (size_t i = 0; i < sample.size(); ++i) sample[i] = uint8_t(i * 131 + (i >> 7));
        bool same = true;
        for (size_t length : {size_t(0), size_t(3), size_t(55), size_t(64), size_t(119), size_t(4099)}) {
            same = same && sha256_hex(sha256_blocks_shani, sample.data(), length) ==
                               sha256_hex(sha256_blocks_portable, sample.data(), length);
        }
        if (same) {
            *accelerated = true;
            return sha256_blocks_shani;
        }
        std::fprintf(stderr, "udt_peer: SHA extension self-test disagreed; using portable SHA-256\n");
    }
#endif
    return sha256_blocks_portable;
}

// ---------------------------------------------------------------------------------------------------------------
// Deterministic data: PATTERN_LENGTH bytes of splitmix64(seed) output (little-endian words), followed by a copy of
// its first MAX_CHUNK bytes so that any window of up to MAX_CHUNK bytes starting in the pattern is contiguous.

class Pattern {
public:
    explicit Pattern(uint64_t seed) : bytes_(PATTERN_LENGTH + MAX_CHUNK) {
        uint64_t state = seed;
        for (size_t i = 0; i < PATTERN_LENGTH; i += 8) {
            state += 0x9E3779B97F4A7C15ULL;
            uint64_t z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
            z ^= z >> 31;
            for (size_t b = 0; b < 8 && i + b < PATTERN_LENGTH; ++b) bytes_[i + b] = uint8_t(z >> (8 * b));
        }
        for (size_t i = 0; i < MAX_CHUNK; ++i) bytes_[PATTERN_LENGTH + i] = bytes_[i % PATTERN_LENGTH];
    }

    // The stream's bytes at [offset, offset + length), length <= MAX_CHUNK.
    const uint8_t* at(uint64_t offset) const { return bytes_.data() + offset % PATTERN_LENGTH; }

private:
    std::vector<uint8_t> bytes_;
};

// Message mode (--dgram): message i of a run is fully determined by (seed, i, size), so the receiver checks every
// message byte for byte without a side channel: its first 4 bytes are i (big-endian), the rest splitmix64 output
// (little-endian words) from the state seed * 0x9E3779B97F4A7C15 + i. MessageModeInteropIT generates the same.
void fill_message(uint64_t seed, uint32_t index, size_t size, uint8_t* out) {
    uint64_t state = seed * 0x9E3779B97F4A7C15ULL + index;
    for (size_t i = 4; i < size; i += 8) {
        state += 0x9E3779B97F4A7C15ULL;
        uint64_t z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        for (size_t b = 0; b < 8 && i + b < size; ++b) out[i + b] = uint8_t(z >> (8 * b));
    }
    for (size_t b = 0; b < 4 && b < size; ++b) out[b] = uint8_t(index >> (24 - 8 * b));
}

// ---------------------------------------------------------------------------------------------------------------
// Command line.

struct Config {
    std::string mode;  // "server" or "client"
    std::string listen;
    std::string to;
    std::string bind;
    std::string save;
    std::string file;
    bool once = false;
    bool reverse = false;
    bool rendezvous = false;
    bool quiet = false;
    bool hash = true;
    int64_t bytes = -1;
    double time_seconds = -1;
    int64_t expect_bytes = -1;
    uint64_t seed = 1;
    int mss = 0;
    int64_t sndbuf = 0;
    int64_t rcvbuf = 0;
    int64_t udp_sndbuf = 0;
    int64_t udp_rcvbuf = 0;
    int flow_window = 0;
    int64_t max_bandwidth = 0;
    size_t chunk = 256 * 1024;
    double timeout_seconds = 30;
    double accept_timeout_seconds = -1;
    double interval_seconds = 0;
    // message mode
    bool dgram = false;
    int64_t messages = -1;
    std::vector<int64_t> sizes;
    bool in_order = true;
    bool gaps = false;
    int ttl_ms = -1;
};

void usage(FILE* out) {
    std::fprintf(out,
        "usage:\n"
        "  udt_peer server --listen HOST:PORT [--save FILE] [--once] [--expect-bytes N]\n"
        "                  [--reverse (--bytes N | --file F | --time S)]\n"
        "  udt_peer client --to HOST:PORT (--bytes N | --file F | --time S)\n"
        "                  [--reverse [--save FILE] [--expect-bytes N]]\n"
        "  rendezvous (both sides bind and connect to each other; one sends, the other receives):\n"
        "  udt_peer client --rendezvous --bind HOST:PORT --to HOST:PORT ...\n"
        "  udt_peer server --rendezvous --listen HOST:PORT --to HOST:PORT ...   (--bind is a synonym of --listen)\n"
        "by default the client sends and the server receives; --reverse swaps the roles.\n"
        "options:\n"
        "  --seed N              data seed for --bytes/--time (default 1)\n"
        "  --chunk BYTES         bytes per UDT::send/recv call (default 262144, at most 1048576)\n"
        "  --mss BYTES           UDT_MSS (default library's 1500)\n"
        "  --sndbuf BYTES        UDT_SNDBUF      --rcvbuf BYTES      UDT_RCVBUF\n"
        "  --udp-sndbuf BYTES    UDP_SNDBUF      --udp-rcvbuf BYTES  UDP_RCVBUF\n"
        "  --fc PACKETS          UDT_FC (flow window)\n"
        "  --max-bandwidth B/S   UDT_MAXBW (bytes per second)\n"
        "  --timeout S           longest stall of a send/recv before the run fails (default 30)\n"
        "  --accept-timeout S    longest wait for a connection (default: 300 with --once, else forever)\n"
        "  --interval S          print progress to stderr every S seconds\n"
        "  --no-hash             skip the SHA-256 (to measure the transport's own CPU cost on fast links)\n"
        "message mode (SOCK_DGRAM, UDT::sendmsg/recvmsg) instead of --bytes/--time/--file:\n"
        "  --dgram --messages N [--sizes B,B,...] [--unordered] [--ttl MS]\n"
        "                        the sender sends N messages, sizes cycled from the list (default 1456; each >= 4);\n"
        "                        the receiver expects N and checks each byte for byte (and, unless --unordered,\n"
        "                        that they arrive in order); --ttl is the sender's per-message TTL (default none);\n"
        "                        the receiver closes first, the sender waits for that;\n"
        "  --gaps                receiver: messages may be missing (dropped by the sender's TTL) but must arrive\n"
        "                        in increasing order; without --messages it reads until the peer closes\n"
        "  --quiet               no messages on stderr except errors\n"
        "  udt_peer sha256 FILE...               SHA-256 of files (checks this tool against sha256sum)\n"
        "  udt_peer generate --bytes N [--seed S] the --bytes data stream on stdout\n"
        "sizes take K, M, G suffixes (powers of 1024). Exit: 0 ok, 1 transfer failed, 2 usage.\n");
}

bool parse_size(const std::string& text, int64_t* out) {
    if (text.empty()) return false;
    char* end = nullptr;
    errno = 0;
    long long value = std::strtoll(text.c_str(), &end, 10);
    if (errno != 0 || end == text.c_str() || value < 0) return false;
    std::string suffix(end);
    int shift = 0;
    if (suffix == "" ) shift = 0;
    else if (suffix == "K" || suffix == "k" || suffix == "KiB") shift = 10;
    else if (suffix == "M" || suffix == "m" || suffix == "MiB") shift = 20;
    else if (suffix == "G" || suffix == "g" || suffix == "GiB") shift = 30;
    else return false;
    if (value > (INT64_MAX >> shift)) return false;
    *out = int64_t(value) << shift;
    return true;
}

bool parse_seconds(const std::string& text, double* out) {
    char* end = nullptr;
    double value = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || value < 0) return false;
    *out = value;
    return true;
}

// Returns EXIT_OK, or EXIT_USAGE after printing what is wrong.
int parse_args(int argc, char** argv, Config* config) {
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    std::string mode = argv[1];
    if (mode == "--help" || mode == "-h") {
        usage(stdout);
        std::exit(EXIT_OK);
    }
    if (mode != "server" && mode != "client") {
        std::fprintf(stderr, "udt_peer: first argument must be 'server' or 'client', got '%s'\n", mode.c_str());
        return EXIT_USAGE;
    }
    config->mode = mode;
    for (int i = 2; i < argc; ++i) {
        std::string name = argv[i];
        auto value = [&](std::string* out) {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "udt_peer: %s needs a value\n", name.c_str());
                return false;
            }
            *out = argv[++i];
            return true;
        };
        auto size_value = [&](int64_t* out) {
            std::string text;
            if (!value(&text)) return false;
            if (!parse_size(text, out)) {
                std::fprintf(stderr, "udt_peer: %s expects a byte count, got '%s'\n", name.c_str(), text.c_str());
                return false;
            }
            return true;
        };
        auto seconds_value = [&](double* out) {
            std::string text;
            if (!value(&text)) return false;
            if (!parse_seconds(text, out)) {
                std::fprintf(stderr, "udt_peer: %s expects seconds, got '%s'\n", name.c_str(), text.c_str());
                return false;
            }
            return true;
        };
        int64_t number = 0;
        bool ok = true;
        if (name == "--listen" || (name == "--bind" && mode == "server")) ok = value(&config->listen);
        else if (name == "--bind") ok = value(&config->bind);
        else if (name == "--to") ok = value(&config->to);
        else if (name == "--save") ok = value(&config->save);
        else if (name == "--file") ok = value(&config->file);
        else if (name == "--once") config->once = true;
        else if (name == "--reverse") config->reverse = true;
        else if (name == "--rendezvous") config->rendezvous = true;
        else if (name == "--quiet") config->quiet = true;
        else if (name == "--no-hash") config->hash = false;
        else if (name == "--bytes") ok = size_value(&config->bytes);
        else if (name == "--expect-bytes") ok = size_value(&config->expect_bytes);
        else if (name == "--time") ok = seconds_value(&config->time_seconds);
        else if (name == "--seed") { ok = size_value(&number); config->seed = uint64_t(number); }
        else if (name == "--chunk") { ok = size_value(&number); config->chunk = size_t(number); }
        else if (name == "--mss") { ok = size_value(&number); config->mss = int(number); }
        else if (name == "--sndbuf") ok = size_value(&config->sndbuf);
        else if (name == "--rcvbuf") ok = size_value(&config->rcvbuf);
        else if (name == "--udp-sndbuf") ok = size_value(&config->udp_sndbuf);
        else if (name == "--udp-rcvbuf") ok = size_value(&config->udp_rcvbuf);
        else if (name == "--fc") { ok = size_value(&number); config->flow_window = int(number); }
        else if (name == "--max-bandwidth") ok = size_value(&config->max_bandwidth);
        else if (name == "--timeout") ok = seconds_value(&config->timeout_seconds);
        else if (name == "--accept-timeout") ok = seconds_value(&config->accept_timeout_seconds);
        else if (name == "--interval") ok = seconds_value(&config->interval_seconds);
        else if (name == "--dgram") config->dgram = true;
        else if (name == "--messages") ok = size_value(&config->messages);
        else if (name == "--unordered") config->in_order = false;
        else if (name == "--gaps") config->gaps = true;
        else if (name == "--ttl") { ok = size_value(&number); config->ttl_ms = int(number); }
        else if (name == "--sizes") {
            std::string text;
            ok = value(&text);
            size_t at = 0;
            while (ok && at <= text.size()) {
                size_t comma = text.find(',', at);
                std::string item = text.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
                int64_t size = 0;
                if (!parse_size(item, &size) || size < 4) {
                    std::fprintf(stderr, "udt_peer: --sizes expects sizes of at least 4 bytes, got '%s'\n", item.c_str());
                    ok = false;
                }
                config->sizes.push_back(size);
                if (comma == std::string::npos) break;
                at = comma + 1;
            }
        }
        else if (name == "--help" || name == "-h") { usage(stdout); std::exit(EXIT_OK); }
        else {
            std::fprintf(stderr, "udt_peer: unknown option '%s' (see --help)\n", name.c_str());
            return EXIT_USAGE;
        }
        if (!ok) return EXIT_USAGE;
    }

    bool server = mode == "server";
    bool sends = server == config->reverse;
    int sources = (config->bytes >= 0) + (config->time_seconds >= 0) + !config->file.empty();
    auto fail = [](const char* message) {
        std::fprintf(stderr, "udt_peer: %s (see --help)\n", message);
        return EXIT_USAGE;
    };
    if (server && config->listen.empty()) return fail("server needs --listen HOST:PORT");
    if (!server && config->to.empty()) return fail("client needs --to HOST:PORT");
    if (config->rendezvous) {
        if (server && config->to.empty()) return fail("a rendezvous server needs --to PEER_HOST:PORT");
        if (!server && config->bind.empty()) return fail("rendezvous needs --bind HOST:PORT");
    } else if (!config->bind.empty() && !server) {
        // An explicit local address for a regular client is allowed; UDT binds before connecting.
    }
    if (config->sizes.empty()) config->sizes.push_back(1456);
    if (config->dgram) {
        if (sources != 0) return fail("--dgram sends --messages N, not --bytes/--time/--file");
        if (sends && config->messages < 0) return fail("a --dgram sender needs --messages N");
        if (config->messages > 0x7FFFFFFF) return fail("--messages must fit 31 bits");
        return EXIT_OK;
    }
    if (sends && sources != 1) return fail("the sending side needs exactly one of --bytes, --time, --file");
    if (!sends && sources != 0) return fail("--bytes/--time/--file belong to the sending side");
    if (sends && !config->save.empty()) return fail("--save belongs to the receiving side");
    if (sends && config->expect_bytes >= 0) return fail("--expect-bytes belongs to the receiving side");
    if (config->chunk == 0 || config->chunk > MAX_CHUNK) return fail("--chunk must be 1..1048576");
    if (config->timeout_seconds <= 0) return fail("--timeout must be positive");
    if (config->accept_timeout_seconds < 0) config->accept_timeout_seconds = config->once || config->rendezvous ? 300 : 0;
    return EXIT_OK;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers.

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

bool resolve(const std::string& host_port, sockaddr_storage* address, socklen_t* length) {
    std::string host;
    std::string port;
    if (!host_port.empty() && host_port[0] == '[') {
        size_t close = host_port.find(']');
        if (close == std::string::npos || close + 1 >= host_port.size() || host_port[close + 1] != ':') return false;
        host = host_port.substr(1, close - 1);
        port = host_port.substr(close + 2);
    } else {
        size_t colon = host_port.rfind(':');
        if (colon == std::string::npos) return false;
        host = host_port.substr(0, colon);
        port = host_port.substr(colon + 1);
    }
    if (port.empty()) return false;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICSERV | (host.empty() ? AI_PASSIVE : 0);
    addrinfo* result = nullptr;
    if (getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &result) != 0 || result == nullptr) {
        return false;
    }
    std::memcpy(address, result->ai_addr, result->ai_addrlen);
    *length = result->ai_addrlen;
    freeaddrinfo(result);
    return true;
}

std::string describe(const sockaddr* address) {
    char host[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (address->sa_family == AF_INET) {
        auto* in = reinterpret_cast<const sockaddr_in*>(address);
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        port = ntohs(in->sin_port);
        return std::string(host) + ":" + std::to_string(port);
    }
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    port = ntohs(in6->sin6_port);
    return "[" + std::string(host) + "]:" + std::to_string(port);
}

std::string json_escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '"' || c == '\\') { out += '\\'; out += c; }
        else if (static_cast<unsigned char>(c) < 0x20) { char hex[8]; std::snprintf(hex, sizeof hex, "\\u%04x", c); out += hex; }
        else out += c;
    }
    return out;
}

std::string last_error() {
    return std::to_string(UDT::getlasterror_code()) + " " + UDT::getlasterror_desc();
}

bool set_option(UDTSOCKET socket, UDT::SOCKOPT option, const void* value, int length, const char* name,
                std::string* error) {
    if (UDT::setsockopt(socket, 0, option, value, length) == UDT::ERROR) {
        *error = std::string("setsockopt ") + name + ": " + last_error();
        return false;
    }
    return true;
}

// Socket options that must be set before bind/connect. Returns false with *error set.
bool configure(UDTSOCKET socket, const Config& config, std::string* error) {
    if (config.mss > 0 && !set_option(socket, UDT_MSS, &config.mss, sizeof(int), "UDT_MSS", error)) return false;
    if (config.flow_window > 0 &&
        !set_option(socket, UDT_FC, &config.flow_window, sizeof(int), "UDT_FC", error)) return false;
    int value;
    if (config.sndbuf > 0) {
        value = int(config.sndbuf);
        if (!set_option(socket, UDT_SNDBUF, &value, sizeof(int), "UDT_SNDBUF", error)) return false;
    }
    if (config.rcvbuf > 0) {
        value = int(config.rcvbuf);
        if (!set_option(socket, UDT_RCVBUF, &value, sizeof(int), "UDT_RCVBUF", error)) return false;
    }
    if (config.udp_sndbuf > 0) {
        value = int(config.udp_sndbuf);
        if (!set_option(socket, UDP_SNDBUF, &value, sizeof(int), "UDP_SNDBUF", error)) return false;
    }
    if (config.udp_rcvbuf > 0) {
        value = int(config.udp_rcvbuf);
        if (!set_option(socket, UDP_RCVBUF, &value, sizeof(int), "UDP_RCVBUF", error)) return false;
    }
    if (config.max_bandwidth > 0 &&
        !set_option(socket, UDT_MAXBW, &config.max_bandwidth, sizeof(int64_t), "UDT_MAXBW", error)) return false;
    if (config.rendezvous) {
        bool on = true;
        if (!set_option(socket, UDT_RENDEZVOUS, &on, sizeof(bool), "UDT_RENDEZVOUS", error)) return false;
    }
    // Blocking calls are bounded: a stalled peer fails the run instead of hanging it.
    int timeout_ms = int(config.timeout_seconds * 1000);
    if (!set_option(socket, UDT_SNDTIMEO, &timeout_ms, sizeof(int), "UDT_SNDTIMEO", error)) return false;
    if (!set_option(socket, UDT_RCVTIMEO, &timeout_ms, sizeof(int), "UDT_RCVTIMEO", error)) return false;
    // The sender waits for its buffer to drain before closing, so linger only guards against a stuck close.
    linger lingering{1, int(config.timeout_seconds)};
    return set_option(socket, UDT_LINGER, &lingering, sizeof lingering, "UDT_LINGER", error);
}

struct Result {
    bool ok = false;
    std::string error;
    std::string direction;
    std::string peer;
    int64_t bytes = 0;
    double seconds = 0;
    std::string sha256;
    double cpu_seconds = 0;
    bool have_perf = false;
    UDT::TRACEINFO perf{};
    int64_t messages = -1;
    int64_t last_message = -1;
};

void print_result(const Config& config, const Result& result, bool accelerated_sha) {
    double mbps = result.seconds > 0 ? result.bytes * 8.0 / result.seconds / 1e6 : 0;
    std::string line = "{\"tool\":\"udt_peer\",\"role\":\"" + config.mode + "\",\"direction\":\"" + result.direction +
                       "\",\"mode\":\"" + (config.rendezvous ? "rendezvous" : "client-server") + "\"";
    char buffer[1024];
    std::snprintf(buffer, sizeof buffer,
                  ",\"ok\":%s,\"peer\":\"%s\",\"bytes\":%" PRId64 ",\"seconds\":%.6f,\"mbps\":%.3f",
                  result.ok ? "true" : "false", json_escape(result.peer).c_str(), result.bytes, result.seconds, mbps);
    line += buffer;
    if (!result.sha256.empty()) line += ",\"sha256\":\"" + result.sha256 + "\"";
    if (result.messages >= 0) line += ",\"messages\":" + std::to_string(result.messages);
    if (result.last_message >= 0) line += ",\"last_message\":" + std::to_string(result.last_message);
    double gib = result.bytes / (1024.0 * 1024.0 * 1024.0);
    std::snprintf(buffer, sizeof buffer, ",\"cpu_seconds\":%.3f,\"cpu_seconds_per_gib\":%.3f", result.cpu_seconds,
                  gib > 0 ? result.cpu_seconds / gib : 0.0);
    line += buffer;
    if (result.have_perf) {
        const UDT::TRACEINFO& p = result.perf;
        std::snprintf(buffer, sizeof buffer,
                      ",\"udt\":{\"rtt_ms\":%.3f,\"send_rate_mbps\":%.3f,\"recv_rate_mbps\":%.3f,"
                      "\"bandwidth_mbps\":%.3f,\"send_period_us\":%.3f,\"cwnd_packets\":%d,\"flow_window_packets\":%d,"
                      "\"packets_sent\":%" PRId64 ",\"packets_received\":%" PRId64 ",\"packets_retransmitted\":%d,"
                      "\"send_loss_packets\":%d,\"receive_loss_packets\":%d,\"naks_sent\":%d,\"naks_received\":%d,"
                      "\"acks_sent\":%d,\"acks_received\":%d}",
                      p.msRTT, p.mbpsSendRate, p.mbpsRecvRate, p.mbpsBandwidth, p.usPktSndPeriod,
                      p.pktCongestionWindow, p.pktFlowWindow, p.pktSentTotal, p.pktRecvTotal, p.pktRetransTotal,
                      p.pktSndLossTotal, p.pktRcvLossTotal, p.pktSentNAKTotal, p.pktRecvNAKTotal, p.pktSentACKTotal,
                      p.pktRecvACKTotal);
        line += buffer;
    }
    line += std::string(",\"sha256_impl\":\"") + (accelerated_sha ? "sha-ni" : "portable") + "\"";
    if (!result.error.empty()) line += ",\"error\":\"" + json_escape(result.error) + "\"";
    line += "}";
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
}

void sample(UDTSOCKET socket, Result* result) {
    UDT::TRACEINFO perf;
    if (UDT::perfmon(socket, &perf, false) != UDT::ERROR) {
        result->perf = perf;
        result->have_perf = true;
    }
}

void progress(const Config& config, const Result& result, Clock::time_point start, Clock::time_point* next) {
    if (config.interval_seconds <= 0 || config.quiet || Clock::now() < *next) return;
    double seconds = seconds_since(start);
    std::fprintf(stderr, "udt_peer: %.1f s %" PRId64 " bytes %.1f Mbit/s rtt %.2f ms retrans %d\n", seconds,
                 result.bytes, seconds > 0 ? result.bytes * 8.0 / seconds / 1e6 : 0.0,
                 result.have_perf ? result.perf.msRTT : 0.0, result.have_perf ? result.perf.pktRetransTotal : 0);
    *next += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(config.interval_seconds));
}

bool is_end_of_stream(int code) {
    return code == CUDTException::ECONNLOST || code == CUDTException::ENOCONN || code == CUDTException::EINVSOCK;
}

// Receives until the peer closes. The peer's close is the only end-of-stream UDT4 has.
void receive(UDTSOCKET socket, const Config& config, BlockFunction sha_blocks, Result* result) {
    result->direction = "receive";
    FILE* save = nullptr;
    if (!config.save.empty()) {
        save = std::fopen(config.save.c_str(), "wb");
        if (save == nullptr) {
            result->error = "cannot write " + config.save + ": " + std::strerror(errno);
            return;
        }
    }
    std::vector<char> buffer(config.chunk);
    Sha256 sha(sha_blocks);
    Clock::time_point start = Clock::now();
    Clock::time_point last_data = start;
    Clock::time_point next_sample = start;
    Clock::time_point next_progress = start;
    bool ok = true;
    for (;;) {
        int received = UDT::recv(socket, buffer.data(), int(buffer.size()), 0);
        Clock::time_point now = Clock::now();
        if (received == UDT::ERROR) {
            int code = UDT::getlasterror_code();
            if (is_end_of_stream(code)) break;
            result->error = "recv after " + std::to_string(result->bytes) + " bytes: " + last_error();
            ok = false;
            break;
        }
        if (received > 0) {
            last_data = now;
            result->bytes += received;
            if (config.hash) sha.update(reinterpret_cast<const uint8_t*>(buffer.data()), size_t(received));
            if (save != nullptr && std::fwrite(buffer.data(), 1, size_t(received), save) != size_t(received)) {
                result->error = "cannot write " + config.save + ": " + std::strerror(errno);
                ok = false;
                break;
            }
        }
        if (now >= next_sample) {
            sample(socket, result);
            next_sample = now + std::chrono::milliseconds(200);
        }
        progress(config, *result, start, &next_progress);
    }
    // Time ends at the last byte, not at the moment the library noticed the peer's shutdown.
    result->seconds = std::chrono::duration<double>(last_data - start).count();
    if (config.hash) result->sha256 = sha.hex_digest();
    if (save != nullptr && std::fclose(save) != 0 && ok) {
        result->error = "cannot write " + config.save + ": " + std::strerror(errno);
        ok = false;
    }
    if (ok && config.expect_bytes >= 0 && result->bytes != config.expect_bytes) {
        result->error = "expected " + std::to_string(config.expect_bytes) + " bytes, received " +
                        std::to_string(result->bytes);
        ok = false;
    }
    result->ok = ok;
}

bool send_all(UDTSOCKET socket, const char* data, size_t length, Result* result) {
    while (length > 0) {
        int sent = UDT::send(socket, data, int(length), 0);
        if (sent == UDT::ERROR) {
            result->error = "send after " + std::to_string(result->bytes) + " bytes: " + last_error();
            return false;
        }
        data += sent;
        length -= size_t(sent);
        result->bytes += sent;
    }
    return true;
}

// Waits until the peer acknowledged everything, so that close() loses nothing and the time is honest.
bool drain(UDTSOCKET socket, const Config& config, Result* result) {
    Clock::time_point last_progress = Clock::now();
    int previous = -1;
    for (;;) {
        int pending = 0;
        int length = sizeof pending;
        if (UDT::getsockopt(socket, 0, UDT_SNDDATA, &pending, &length) == UDT::ERROR) {
            result->error = "waiting for acknowledgements: " + last_error();
            return false;
        }
        if (pending == 0) return true;
        if (pending != previous) {
            previous = pending;
            last_progress = Clock::now();
        } else if (seconds_since(last_progress) > config.timeout_seconds) {
            result->error = "peer acknowledged nothing for " + std::to_string(config.timeout_seconds) + " s with " +
                            std::to_string(pending) + " packets unacknowledged";
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

void send_stream(UDTSOCKET socket, const Config& config, const Pattern& pattern, BlockFunction sha_blocks,
                 Result* result) {
    result->direction = "send";
    Sha256 sha(sha_blocks);
    Clock::time_point start = Clock::now();
    Clock::time_point next_sample = start;
    Clock::time_point next_progress = start;
    bool ok = true;
    FILE* input = nullptr;
    std::vector<char> file_buffer;
    if (!config.file.empty()) {
        input = std::fopen(config.file.c_str(), "rb");
        if (input == nullptr) {
            result->error = "cannot read " + config.file + ": " + std::strerror(errno);
            return;
        }
        file_buffer.resize(config.chunk);
    }
    Clock::time_point deadline =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(std::max(0.0, config.time_seconds)));
    for (;;) {
        const char* data;
        size_t length;
        if (input != nullptr) {
            length = std::fread(file_buffer.data(), 1, file_buffer.size(), input);
            if (length == 0) {
                if (std::ferror(input)) {
                    result->error = "cannot read " + config.file + ": " + std::strerror(errno);
                    ok = false;
                }
                break;
            }
            data = file_buffer.data();
        } else if (config.bytes >= 0) {
            if (result->bytes >= config.bytes) break;
            length = size_t(std::min<int64_t>(int64_t(config.chunk), config.bytes - result->bytes));
            data = reinterpret_cast<const char*>(pattern.at(uint64_t(result->bytes)));
        } else {
            if (Clock::now() >= deadline) break;
            length = config.chunk;
            data = reinterpret_cast<const char*>(pattern.at(uint64_t(result->bytes)));
        }
        // Hash before sending: UDT::send may return early, but what is handed over is exactly this buffer.
        if (config.hash) sha.update(reinterpret_cast<const uint8_t*>(data), length);
        if (!send_all(socket, data, length, result)) {
            ok = false;
            break;
        }
        Clock::time_point now = Clock::now();
        if (now >= next_sample) {
            sample(socket, result);
            next_sample = now + std::chrono::milliseconds(200);
        }
        progress(config, *result, start, &next_progress);
    }
    if (input != nullptr) std::fclose(input);
    if (ok) ok = drain(socket, config, result);
    result->seconds = seconds_since(start);
    sample(socket, result);
    if (config.hash) result->sha256 = sha.hex_digest();
    result->ok = ok;
}

// CPU time of the whole process (all of libudt's threads included), user plus system.
double process_cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// Sends --messages N with UDT::sendmsg; the SHA-256 covers the messages concatenated in sending order.
void send_messages(UDTSOCKET socket, const Config& config, BlockFunction sha_blocks, Result* result) {
    result->direction = "send";
    result->messages = 0;
    Sha256 sha(sha_blocks);
    int64_t largest = 0;
    for (int64_t size : config.sizes) largest = std::max(largest, size);
    std::vector<uint8_t> message(static_cast<size_t>(largest));
    Clock::time_point start = Clock::now();
    bool ok = true;
    for (int64_t i = 0; i < config.messages; ++i) {
        size_t size = size_t(config.sizes[size_t(i) % config.sizes.size()]);
        fill_message(config.seed, uint32_t(i), size, message.data());
        sha.update(message.data(), size);
        int sent = UDT::sendmsg(socket, reinterpret_cast<const char*>(message.data()), int(size), config.ttl_ms,
                                config.in_order);
        if (sent == UDT::ERROR || sent != int(size)) {
            result->error = "sendmsg of message " + std::to_string(i) + " (" + std::to_string(size) + " bytes): " +
                            (sent == UDT::ERROR ? last_error() : "took " + std::to_string(sent));
            ok = false;
            break;
        }
        result->bytes += int64_t(size);
        result->messages += 1;
    }
    if (ok) ok = drain(socket, config, result);
    result->seconds = seconds_since(start);
    sample(socket, result);
    // The receiver closes first (it knows when it has everything; a shutdown must not overtake a 4.11 receiver
    // that still holds messages, see receive_messages): read until the connection ends (the receiver sends
    // nothing), bounded by the socket's receive timeout.
    if (ok) {
        char unused[16];
        if (UDT::recvmsg(socket, unused, sizeof unused) != UDT::ERROR) {
            result->error = "the receiver sent a message";
            ok = false;
        } else if (!is_end_of_stream(UDT::getlasterror_code())) {
            result->error = "the receiver did not close within --timeout: " + last_error();
            ok = false;
        }
    }
    result->sha256 = sha.hex_digest();
    result->ok = ok;
}

// Receives messages with UDT::recvmsg until --messages N arrived (or, without N, until the peer closes), checking
// each against fill_message; the SHA-256 covers the messages concatenated in arrival order.
void receive_messages(UDTSOCKET socket, const Config& config, BlockFunction sha_blocks, Result* result) {
    result->direction = "receive";
    result->messages = 0;
    Sha256 sha(sha_blocks);
    int64_t largest = 0;
    for (int64_t size : config.sizes) largest = std::max(largest, size);
    // room beyond the largest size, so a message that is too long shows instead of being cut to fit (4.11 truncates)
    std::vector<uint8_t> buffer(static_cast<size_t>(largest) + 4096);
    std::vector<uint8_t> expected(static_cast<size_t>(largest));
    Clock::time_point start = Clock::now();
    Clock::time_point last_message = start;
    bool ok = true;
    // 4.11's blocking recvmsg with UDT_RCVTIMEO waits for the next wake-up (a new arrival) before it looks at the
    // buffer, so whole messages already there wait for more data or the timeout, one message per wake-up; and the
    // call woken by the peer's shutdown reads a message and then throws, losing it (CUDT::recvmsg). A
    // non-blocking recvmsg reads at once (and after a shutdown still hands out what is held), so poll it.
    bool blocking = false;
    UDT::setsockopt(socket, 0, UDT_RCVSYN, &blocking, sizeof blocking);
    while (config.messages < 0 || result->messages < config.messages) {
        int received = UDT::recvmsg(socket, reinterpret_cast<char*>(buffer.data()), int(buffer.size()));
        if (received == UDT::ERROR && UDT::getlasterror_code() == CUDTException::EASYNCRCV) {
            if (seconds_since(last_message) > config.timeout_seconds) {
                result->error = "no message for " + std::to_string(config.timeout_seconds) + " s after " +
                                std::to_string(result->messages) + " messages";
                ok = false;
                break;
            }
            std::this_thread::sleep_for(std::chrono::microseconds(200));
            continue;
        }
        if (received == UDT::ERROR) {
            if (config.messages < 0 && is_end_of_stream(UDT::getlasterror_code())) break;
            result->error = "recvmsg after " + std::to_string(result->messages) + " messages: " + last_error();
            ok = false;
            break;
        }
        if (received < 4) {
            result->error = "message " + std::to_string(result->messages) + " has only " + std::to_string(received) +
                            " bytes";
            ok = false;
            break;
        }
        uint32_t index = (uint32_t(buffer[0]) << 24) | (uint32_t(buffer[1]) << 16) | (uint32_t(buffer[2]) << 8) |
                         uint32_t(buffer[3]);
        if (config.gaps && int64_t(index) <= result->last_message) {
            result->error = "message " + std::to_string(index) + " after message " +
                            std::to_string(result->last_message);
            ok = false;
            break;
        }
        if (config.in_order && !config.gaps && int64_t(index) != result->messages) {
            result->error = "expected message " + std::to_string(result->messages) + ", got message " +
                            std::to_string(index);
            ok = false;
            break;
        }
        size_t size = size_t(config.sizes[index % config.sizes.size()]);
        fill_message(config.seed, index, size, expected.data());
        if (size_t(received) != size || std::memcmp(buffer.data(), expected.data(), size) != 0) {
            result->error = "message " + std::to_string(index) + " differs: " + std::to_string(received) +
                            " bytes, expected " + std::to_string(size);
            ok = false;
            break;
        }
        sha.update(buffer.data(), size_t(received));
        result->bytes += received;
        result->messages += 1;
        result->last_message = std::max(result->last_message, int64_t(index));
        last_message = Clock::now();
    }
    result->seconds = seconds_since(start);
    sample(socket, result);
    result->sha256 = sha.hex_digest();
    result->ok = ok;
}

void run_connection(UDTSOCKET socket, const Config& config, bool sends, const Pattern* pattern,
                    BlockFunction sha_blocks, Result* result) {
    double cpu_start = process_cpu_seconds();
    if (config.dgram && sends) send_messages(socket, config, sha_blocks, result);
    else if (config.dgram) receive_messages(socket, config, sha_blocks, result);
    else if (sends) send_stream(socket, config, *pattern, sha_blocks, result);
    else receive(socket, config, sha_blocks, result);
    result->cpu_seconds = process_cpu_seconds() - cpu_start;
}

// Connects (client, or either side of a rendezvous). Returns INVALID_SOCK with *error set.
UDTSOCKET open_connected(const Config& config, std::string* error, std::string* peer) {
    sockaddr_storage remote{};
    socklen_t remote_length = 0;
    if (!resolve(config.to, &remote, &remote_length)) {
        *error = "cannot resolve '" + config.to + "' (expected HOST:PORT or [V6]:PORT)";
        return UDT::INVALID_SOCK;
    }
    std::string local_text = config.mode == "server" ? config.listen : config.bind;
    UDTSOCKET socket = UDT::socket(remote.ss_family, config.dgram ? SOCK_DGRAM : SOCK_STREAM, 0);
    if (socket == UDT::INVALID_SOCK) {
        *error = "socket: " + last_error();
        return UDT::INVALID_SOCK;
    }
    if (!configure(socket, config, error)) {
        UDT::close(socket);
        return UDT::INVALID_SOCK;
    }
    if (!local_text.empty()) {
        sockaddr_storage local{};
        socklen_t local_length = 0;
        if (!resolve(local_text, &local, &local_length)) {
            *error = "cannot resolve '" + local_text + "' (expected HOST:PORT or [V6]:PORT)";
            UDT::close(socket);
            return UDT::INVALID_SOCK;
        }
        if (UDT::bind(socket, reinterpret_cast<sockaddr*>(&local), int(local_length)) == UDT::ERROR) {
            *error = "bind " + local_text + ": " + last_error();
            UDT::close(socket);
            return UDT::INVALID_SOCK;
        }
    }
    // UDT4 bounds connect itself: 3 s for a regular connection, 30 s for rendezvous.
    if (UDT::connect(socket, reinterpret_cast<sockaddr*>(&remote), int(remote_length)) == UDT::ERROR) {
        *error = "connect " + config.to + ": " + last_error();
        UDT::close(socket);
        return UDT::INVALID_SOCK;
    }
    *peer = describe(reinterpret_cast<sockaddr*>(&remote));
    return socket;
}

int run_client_or_rendezvous(const Config& config, bool sends, const Pattern* pattern, BlockFunction sha_blocks,
                             bool accelerated) {
    Result result;
    result.direction = sends ? "send" : "receive";
    UDTSOCKET socket = open_connected(config, &result.error, &result.peer);
    if (socket == UDT::INVALID_SOCK) {
        print_result(config, result, accelerated);
        return EXIT_FAILED;
    }
    if (!config.quiet) std::fprintf(stderr, "udt_peer: connected to %s\n", result.peer.c_str());
    run_connection(socket, config, sends, pattern, sha_blocks, &result);
    UDT::close(socket);
    print_result(config, result, accelerated);
    return result.ok ? EXIT_OK : EXIT_FAILED;
}

int run_server(const Config& config, bool sends, const Pattern* pattern, BlockFunction sha_blocks, bool accelerated) {
    sockaddr_storage local{};
    socklen_t local_length = 0;
    if (!resolve(config.listen, &local, &local_length)) {
        std::fprintf(stderr, "udt_peer: cannot resolve '%s' (expected HOST:PORT or [V6]:PORT)\n", config.listen.c_str());
        return EXIT_USAGE;
    }
    std::string error;
    UDTSOCKET listener = UDT::socket(local.ss_family, config.dgram ? SOCK_DGRAM : SOCK_STREAM, 0);
    if (listener == UDT::INVALID_SOCK || !configure(listener, config, &error) ||
        UDT::bind(listener, reinterpret_cast<sockaddr*>(&local), int(local_length)) == UDT::ERROR ||
        UDT::listen(listener, 16) == UDT::ERROR) {
        if (error.empty()) error = last_error();
        std::fprintf(stderr, "udt_peer: cannot listen on %s: %s\n", config.listen.c_str(), error.c_str());
        if (listener != UDT::INVALID_SOCK) UDT::close(listener);
        return EXIT_FAILED;
    }
    // Non-blocking accept polled in small steps, so the wait for a client is bounded.
    bool blocking = false;
    UDT::setsockopt(listener, 0, UDT_RCVSYN, &blocking, sizeof blocking);
    sockaddr_storage bound{};
    int bound_length = sizeof bound;
    UDT::getsockname(listener, reinterpret_cast<sockaddr*>(&bound), &bound_length);
    if (!config.quiet) {
        std::fprintf(stderr, "udt_peer: listening on %s\n", describe(reinterpret_cast<sockaddr*>(&bound)).c_str());
    }
    int exit_code = EXIT_OK;
    for (;;) {
        Clock::time_point waiting_since = Clock::now();
        UDTSOCKET socket = UDT::INVALID_SOCK;
        sockaddr_storage remote{};
        for (;;) {
            int remote_length = sizeof remote;
            socket = UDT::accept(listener, reinterpret_cast<sockaddr*>(&remote), &remote_length);
            if (socket != UDT::INVALID_SOCK) break;
            if (UDT::getlasterror_code() != CUDTException::EASYNCRCV) {
                std::fprintf(stderr, "udt_peer: accept: %s\n", last_error().c_str());
                UDT::close(listener);
                return EXIT_FAILED;
            }
            if (config.accept_timeout_seconds > 0 && seconds_since(waiting_since) > config.accept_timeout_seconds) {
                std::fprintf(stderr, "udt_peer: no connection within %.0f s\n", config.accept_timeout_seconds);
                UDT::close(listener);
                return EXIT_FAILED;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        // Accepted sockets inherit the listener's non-blocking receive; data transfer blocks (with timeouts).
        bool blocking_io = true;
        UDT::setsockopt(socket, 0, UDT_RCVSYN, &blocking_io, sizeof blocking_io);
        Result result;
        result.peer = describe(reinterpret_cast<sockaddr*>(&remote));
        if (!config.quiet) std::fprintf(stderr, "udt_peer: connection from %s\n", result.peer.c_str());
        run_connection(socket, config, sends, pattern, sha_blocks, &result);
        UDT::close(socket);
        print_result(config, result, accelerated);
        if (!result.ok) exit_code = EXIT_FAILED;
        if (config.once) break;
    }
    UDT::close(listener);
    return exit_code;
}

}  // namespace

// `udt_peer sha256 FILE...` and `udt_peer generate --bytes N [--seed S]`: check the hash and the data stream
// against other implementations (sha256sum, parcel perf) without a network.
int run_tool(int argc, char** argv) {
    bool accelerated = false;
    BlockFunction sha_blocks = choose_sha256(&accelerated);
    std::string tool = argv[1];
    if (tool == "sha256") {
        std::vector<char> buffer(MAX_CHUNK);
        int exit_code = EXIT_OK;
        for (int i = 2; i < argc; ++i) {
            FILE* input = std::fopen(argv[i], "rb");
            if (input == nullptr) {
                std::fprintf(stderr, "udt_peer: cannot read %s: %s\n", argv[i], std::strerror(errno));
                exit_code = EXIT_FAILED;
                continue;
            }
            Sha256 sha(sha_blocks);
            size_t length;
            while ((length = std::fread(buffer.data(), 1, buffer.size(), input)) > 0) {
                sha.update(reinterpret_cast<const uint8_t*>(buffer.data()), length);
            }
            std::fclose(input);
            std::printf("%s  %s\n", sha.hex_digest().c_str(), argv[i]);
        }
        return exit_code;
    }
    int64_t bytes = -1;
    int64_t seed = 1;
    for (int i = 2; i + 1 < argc; i += 2) {
        std::string name = argv[i];
        if ((name != "--bytes" && name != "--seed") || !parse_size(argv[i + 1], name == "--bytes" ? &bytes : &seed)) {
            std::fprintf(stderr, "udt_peer: usage: udt_peer generate --bytes N [--seed S]\n");
            return EXIT_USAGE;
        }
    }
    if (bytes < 0 || argc % 2 != 0) {
        std::fprintf(stderr, "udt_peer: usage: udt_peer generate --bytes N [--seed S]\n");
        return EXIT_USAGE;
    }
    Pattern pattern{static_cast<uint64_t>(seed)};
    for (int64_t written = 0; written < bytes;) {
        size_t length = size_t(std::min<int64_t>(int64_t(MAX_CHUNK), bytes - written));
        if (std::fwrite(pattern.at(uint64_t(written)), 1, length, stdout) != length) return EXIT_FAILED;
        written += int64_t(length);
    }
    return std::fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
}

int main(int argc, char** argv) {
    if (argc >= 2 && (std::string(argv[1]) == "sha256" || std::string(argv[1]) == "generate")) {
        return run_tool(argc, argv);
    }
    Config config;
    int parsed = parse_args(argc, argv, &config);
    if (parsed != EXIT_OK) return parsed;
    bool accelerated = false;
    BlockFunction sha_blocks = choose_sha256(&accelerated);
    bool server = config.mode == "server";
    bool sends = server == config.reverse;
    Pattern* pattern = nullptr;
    if (sends && config.file.empty() && !config.dgram) pattern = new Pattern(config.seed);

    UDT::startup();
    int exit_code;
    if (server && !config.rendezvous) exit_code = run_server(config, sends, pattern, sha_blocks, accelerated);
    else exit_code = run_client_or_rendezvous(config, sends, pattern, sha_blocks, accelerated);
    UDT::cleanup();
    delete pattern;
    return exit_code;
}
