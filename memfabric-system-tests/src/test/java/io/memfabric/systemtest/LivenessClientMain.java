package io.memfabric.systemtest;

import io.memfabric.store.StoreUrl;
import io.memfabric.store.client.StoreClient;
import io.memfabric.store.client.StoreClientOptions;
import io.memfabric.testsupport.RankProcess;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A store client in its own JVM that takes a rank and announces it, then idles until killed (or until its standard
 * input closes). Prints {@code ready rank=<r>}.
 * Arguments: {@code <storeUrl> <namespace> <worldSize> <rank or -1> <name> <heartbeatMs>}.
 */
public final class LivenessClientMain {
    private LivenessClientMain() {
    }

    public static void main(String[] args) throws Exception {
        RankProcess.exitWhenParentExits();
        try (StoreClient client = StoreClient.connect(StoreClientOptions.builder(StoreUrl.parse(args[0]))
                .heartbeatPeriod(Duration.ofMillis(Long.parseLong(args[5]))).build());
             StoreClient view = client.withPrefix(args[1])) {
            int rank = view.assignRank(Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            view.hello(args[4], rank);
            System.out.println("ready rank=" + rank);
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (in.readLine() != null) {
                System.out.println("alive");
            }
        }
    }
}
