package io.parcel.sink.file;

import io.parcel.spi.Plugin;
import io.parcel.spi.SinkFactory;

import java.util.List;

/** The {@code file} sink plugin. Does no work until a sink is created. */
public final class FilePlugin implements Plugin {
    @Override
    public List<SinkFactory> sinks() {
        return List.of(new FileSinkFactory());
    }
}
