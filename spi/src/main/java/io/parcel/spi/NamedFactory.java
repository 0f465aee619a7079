package io.parcel.spi;

import java.util.List;

/** What every factory a {@link Plugin} contributes has: a unique name within its kind, and the options it reads. */
public interface NamedFactory {
    /** Unique within its kind (transport, source, sink); lower case, e.g. {@code "tcp"}, {@code "http"}. */
    String name();

    /** One line for {@code parcel plugins}. */
    default String description() {
        return "";
    }

    /** The option keys this factory's components read, for help output and validation. */
    default List<OptionKey<?>> options() {
        return List.of();
    }
}
