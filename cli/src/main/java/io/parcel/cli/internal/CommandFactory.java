package io.parcel.cli.internal;

import java.lang.reflect.Constructor;

import io.parcel.cli.CliEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;

import static java.util.Objects.requireNonNull;

/**
 * Creates commands, mixins and converters for picocli: a class with a constructor taking a {@link CliEnvironment}
 * gets this run's environment, anything else goes to picocli's default factory.
 */
public final class CommandFactory implements IFactory {
    private final CliEnvironment environment;
    private final IFactory fallback = CommandLine.defaultFactory();

    public CommandFactory(CliEnvironment environment) {
        this.environment = requireNonNull(environment, "environment is null");
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
        Constructor<K> constructor;
        try {
            constructor = type.getDeclaredConstructor(CliEnvironment.class);
        } catch (NoSuchMethodException e) {
            return fallback.create(type);
        }
        constructor.setAccessible(true);
        return constructor.newInstance(environment);
    }
}
