package io.memfabric.nativeapi.log;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The SLF4J 2 provider of a JVM started by libmemfabric.so (selected with {@code -Dslf4j.provider}): one
 * {@link NativeLogger} per name; markers are kept, MDC is not.
 *
 * <p>Thread safety: {@link #initialize()} is called once by SLF4J; the rest from any thread.
 */
public final class NativeLogProvider implements SLF4JServiceProvider {
    private ILoggerFactory loggers;
    private IMarkerFactory markers;
    private MDCAdapter mdc;

    /** Made by SLF4J (ServiceLoader or {@code -Dslf4j.provider}). */
    public NativeLogProvider() {
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggers;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        ConcurrentHashMap<String, NativeLogger> byName = new ConcurrentHashMap<>();
        loggers = name -> byName.computeIfAbsent(name, NativeLogger::new);
        markers = new BasicMarkerFactory();
        mdc = new NOPMDCAdapter();
    }
}
