package io.parcel.cli.perf;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what a transport's socket says about its connection (RTT, loss, retransmissions), when it says anything.
 *
 * <p>The SPI has no statistics contract yet, so this looks for a public no-argument {@code statistics()} method on
 * the socket's class returning either a {@code Map} (name to number or text) or a text of {@code name=value} words
 * ({@code "rtt=1500us sent=42"}; a unit after a number goes into the name: {@code rtt_us=1500}). A socket without
 * one, or one that fails, simply has no statistics: they are a bonus in the report, never a reason to fail.
 */
final class SocketStatistics {
    private static final Pattern NAME_VALUE = Pattern.compile("([A-Za-z][\\w.-]*)=(-?\\d+(?:\\.\\d+)?)([A-Za-z%/]*)");

    private SocketStatistics() {
    }

    static Map<String, Object> of(Socket socket) {
        try {
            Method method = socket.getClass().getMethod("statistics");
            if (Modifier.isStatic(method.getModifiers())) {
                return Map.of();
            }
            method.setAccessible(true);
            Object value = method.invoke(socket);
            if (value instanceof Map<?, ?> map) {
                Map<String, Object> copy = new LinkedHashMap<>();
                map.forEach((name, entry) -> {
                    if (name != null && entry != null) {
                        copy.put(name.toString(), entry instanceof Number ? entry : entry.toString());
                    }
                });
                return copy;
            }
            if (value instanceof CharSequence text) {
                return parse(text.toString());
            }
            return Map.of();
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Includes a plugin class that is not accessible: no statistics, same as a socket without the method.
            return Map.of();
        }
    }

    /** The numeric {@code name=value} words of {@code text}; other words are left out. */
    static Map<String, Object> parse(String text) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String word : text.split("\\s+")) {
            Matcher matcher = NAME_VALUE.matcher(word);
            if (matcher.matches()) {
                String name = matcher.group(3).isEmpty() ? matcher.group(1)
                        : matcher.group(1) + "_" + matcher.group(3).replace("%", "percent").replace('/', '_');
                String number = matcher.group(2);
                values.put(name, number.contains(".") ? (Object) Double.parseDouble(number)
                        : (Object) Long.parseLong(number));
            }
        }
        return values;
    }
}
