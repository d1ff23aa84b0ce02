package io.memfabric.systemtest;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.group.GroupEngine;
import io.memfabric.group.GroupOptions;
import io.memfabric.group.Membership;
import io.memfabric.store.StoreUrl;
import io.memfabric.store.client.StoreClient;
import io.memfabric.store.client.StoreClientOptions;
import io.memfabric.testsupport.RankProcess;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * One rank of a group system test, in its own JVM. Prints one line per milestone, which the test reads:
 * <pre>
 * ready rank=3                 engine open, rank taken
 * joined rank=3 members=0-7    every expected member is in
 * round 12 digest=…            collectives mode: digest of round 12's allgather result (after a barrier)
 * sub even 4 digest=…          sub mode: digest of round 4 of the sub-group "even"
 * iter 30                      loop mode: every 10th iteration of the barrier + allgather loop
 * event FAILED rank=2 epoch=9  a membership change seen by the listener
 * survived members=0-1,3       loop mode: finished 20 iterations after a failure
 * done                         finished; exits 0
 * </pre>
 * Arguments: {@code <storeUrl> <mode: collectives|sub|loop> <members> <rounds> <heartbeatMs>}.
 */
public final class GroupRankMain {
    private GroupRankMain() {
    }

    public static void main(String[] args) {
        RankProcess.exitWhenParentExits();
        StoreUrl url = StoreUrl.parse(args[0]);
        String mode = args[1];
        int members = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        Duration heartbeat = Duration.ofMillis(Long.parseLong(args[4]));
        try (StoreClient client = StoreClient.connect(StoreClientOptions.builder(url).heartbeatPeriod(heartbeat)
                .build());
             GroupEngine group = GroupEngine.open(client, GroupOptions.builder().name("sys-" + mode)
                     .worldSize(members).operationTimeout(Duration.ofSeconds(60)).build())) {
            int rank = group.rank();
            group.addListener(event -> System.out.println("event " + event.kind() + " rank=" + event.rank()
                    + " epoch=" + event.epoch()));
            System.out.println("ready rank=" + rank);
            group.join();
            Membership all = group.awaitMembership(m -> m.size() == members, Duration.ofSeconds(60));
            System.out.println("joined rank=" + rank + " members=" + all.encode().substring(
                    all.encode().indexOf(':') + 1));
            switch (mode) {
                case "collectives" -> collectives(group, rounds);
                case "sub" -> subGroups(group, rounds, members);
                case "loop" -> loop(group, members);
                default -> throw new IllegalArgumentException("mode=" + mode);
            }
            group.barrier();
            System.out.println("done");
            group.close();
            System.out.println("group closed");
        } catch (Throwable t) {
            t.printStackTrace();
            System.out.println("failed " + t);
            System.out.flush();
            System.exit(1);
        }
        System.out.println("client closed");
        System.exit(0);
    }

    private static void collectives(GroupEngine group, int rounds) {
        for (int round = 0; round < rounds; round++) {
            group.barrier();
            List<byte[]> result = group.allGather(GroupPayloads.payload("all", round, group.rank()));
            int[] ranks = group.membership().ranks();
            check(result, "all", round, ranks);
            System.out.println("round " + round + " digest=" + GroupPayloads.digest(ranks, result));
        }
    }

    private static void subGroups(GroupEngine group, int rounds, int members) {
        int rank = group.rank();
        String parity = rank % 2 == 0 ? "even" : "odd";
        int[] sameParity = IntStream.range(0, members).filter(r -> r % 2 == rank % 2).toArray();
        String half = rank < members / 2 ? "first" : "second";
        int[] sameHalf = IntStream.range(0, members).filter(r -> r < members / 2 == rank < members / 2).toArray();
        for (int round = 0; round < rounds; round++) {
            group.barrier(parity, sameParity.length);
            List<byte[]> p = group.allGather(parity, sameParity.length, GroupPayloads.payload(parity, round, rank));
            check(p, parity, round, sameParity);
            System.out.println("sub " + parity + " " + round + " digest=" + GroupPayloads.digest(sameParity, p));
            List<byte[]> h = group.allGather(half, sameHalf.length, GroupPayloads.payload(half, round, rank));
            check(h, half, round, sameHalf);
            group.barrier(half, sameHalf.length);
            System.out.println("sub " + half + " " + round + " digest=" + GroupPayloads.digest(sameHalf, h));
        }
    }

    /**
     * Barrier + allgather of (iteration, members) until 20 iterations ran among fewer members than at the start.
     * An aborted round is retried as the same iteration; the allgather shows every rank at the same iteration.
     */
    private static void loop(GroupEngine group, int members) {
        int after = 0;
        for (int iteration = 0; after < 20; ) {
            List<byte[]> result;
            try {
                group.barrier();
                result = group.allGather(ByteBuffer.allocate(4).putInt(iteration).array());
            } catch (MemFabricException e) {
                if (e.code() != ErrorCode.GROUP_MEMBERSHIP_CHANGED) {
                    throw e;
                }
                System.out.println("retry " + iteration + " after " + e.getMessage());
                continue;
            }
            for (byte[] b : result) {
                if (ByteBuffer.wrap(b).getInt() != iteration) {
                    throw new IllegalStateException("iteration " + iteration + ": members at different iterations");
                }
            }
            if (result.size() < members) {
                after++;
            }
            if (iteration % 10 == 0) {
                System.out.println("iter " + iteration);
            }
            iteration++;
        }
        String m = group.membership().encode();
        System.out.println("survived members=" + m.substring(m.indexOf(':') + 1));
    }

    private static void check(List<byte[]> result, String tag, int round, int[] ranks) {
        if (result.size() != ranks.length) {
            throw new IllegalStateException(tag + " round " + round + ": " + result.size() + " elements (expected: "
                    + ranks.length + ")");
        }
        for (int i = 0; i < ranks.length; i++) {
            if (!Arrays.equals(result.get(i), GroupPayloads.payload(tag, round, ranks[i]))) {
                throw new IllegalStateException(tag + " round " + round + ": element " + i + " (rank " + ranks[i]
                        + ") differs from what that rank sent");
            }
        }
    }
}
