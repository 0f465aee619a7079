package io.parcel.kernel;

public enum PluginKind {
    TRANSPORT, SOURCE, SINK;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
