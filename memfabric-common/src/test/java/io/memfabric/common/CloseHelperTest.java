package io.memfabric.common;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(10)
class CloseHelperTest {
    @Test
    void closeAllShouldCloseEveryItemAndThrowTheFirstFailureWithTheRestSuppressed() {
        List<String> closed = new ArrayList<>();
        IllegalStateException first = new IllegalStateException("first");
        IllegalStateException second = new IllegalStateException("second");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> CloseHelper.closeAll(
                () -> closed.add("a"),
                () -> {
                    closed.add("b");
                    throw first;
                },
                null,
                () -> {
                    closed.add("c");
                    throw second;
                },
                () -> closed.add("d")));
        assertSame(first, thrown);
        assertEquals(List.of(second), List.of(thrown.getSuppressed()));
        assertEquals(List.of("a", "b", "c", "d"), closed);
    }

    @Test
    void quietCloseShouldSwallowAndCloseShouldRethrowUnchecked() {
        CloseHelper.quietClose(() -> {
            throw new Exception("ignored");
        });
        CloseHelper.quietClose(null);
        assertThrows(IllegalStateException.class, () -> CloseHelper.close(() -> {
            throw new Exception("checked");
        }));
        List<Exception> handled = new ArrayList<>();
        CloseHelper.close(handled::add, () -> {
            throw new Exception("to handler");
        });
        assertEquals(1, handled.size());
    }

    @Test
    void namedThreadFactoryShouldNameThreadsAfterTheirRole() {
        NamedThreadFactory factory = NamedThreadFactory.daemon("memfabric-test-role");
        Thread a = factory.newThread(() -> { });
        Thread b = factory.newThread(() -> { });
        assertEquals("memfabric-test-role", a.getName());
        assertEquals("memfabric-test-role-1", b.getName());
        assertEquals(true, a.isDaemon());
    }
}
