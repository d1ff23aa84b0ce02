package io.memfabric.systemtest;

import io.memfabric.bm.BigMemorySpace;
import io.memfabric.bm.CopyType;
import io.memfabric.memory.MemoryType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Upstream's all-path test ({@code data_op_all_path_test.py}, upstream-api §11.6): one block travels along an Eulerian
 * circuit over every valid edge between six places: local host memory (LH), local "device" memory (LD), this rank's
 * global HOST and DEVICE slots (oGH, oGD) and a remote rank's (rGH, rGD). Valid edges (§2.5): local to any global,
 * any global to local, and global to global between this rank and the remote one; no local to local, no own to own and
 * no remote to remote edge (as upstream). Every place has four edges in and four out, so a circuit over all 24 edges
 * exists. The MD5 of the block at the end of the circuit must equal that of the block at its start.
 */
final class BmAllPathChain {
    private static final int LH = 0;
    private static final int LD = 1;
    private static final int OGH = 2;
    private static final int OGD = 3;
    private static final int RGH = 4;
    private static final int RGD = 5;
    private static final String[] NAMES = {"LH", "LD", "oGH", "oGD", "rGH", "rGD"};

    private BmAllPathChain() {
    }

    /** @return the edges {from, to} of the graph. */
    static List<int[]> edges() {
        List<int[]> edges = new ArrayList<>();
        for (int local : new int[] {LH, LD}) {
            for (int global : new int[] {OGH, OGD, RGH, RGD}) {
                edges.add(new int[] {local, global});
                edges.add(new int[] {global, local});
            }
        }
        for (int own : new int[] {OGH, OGD}) {
            for (int remote : new int[] {RGH, RGD}) {
                edges.add(new int[] {own, remote});
                edges.add(new int[] {remote, own});
            }
        }
        return edges;
    }

    /** @return an Eulerian circuit from LH (Hierholzer), as the list of places visited, first and last LH. */
    static List<Integer> circuit(List<int[]> edges) {
        List<Deque<Integer>> out = new ArrayList<>();
        for (int i = 0; i < NAMES.length; i++) {
            out.add(new ArrayDeque<>());
        }
        for (int[] e : edges) {
            out.get(e[0]).add(e[1]);
        }
        Deque<Integer> stack = new ArrayDeque<>();
        List<Integer> path = new ArrayList<>();
        stack.push(LH);
        while (!stack.isEmpty()) {
            int v = stack.peek();
            if (out.get(v).isEmpty()) {
                path.add(0, stack.pop());
            } else {
                stack.push(out.get(v).poll());
            }
        }
        if (path.size() != edges.size() + 1) {
            throw new IllegalStateException("no Eulerian circuit: " + path.size() + " places for " + edges.size()
                    + " edges");
        }
        return path;
    }

    /**
     * Runs the chain.
     *
     * @param space      a joined space
     * @param peer       the remote rank
     * @param region     the offset of this rank's region in every slot
     * @param blockBytes the block size
     * @param seed       the block's pattern
     * @return a line for the test: edges, path and the MD5 at both ends
     */
    static String run(BigMemorySpace space, int peer, long region, long blockBytes, long seed) {
        List<int[]> edges = edges();
        List<Integer> path = circuit(edges);
        int rank = space.rank();
        long[] gva = new long[NAMES.length];
        gva[OGH] = space.peerAddress(rank, MemoryType.HOST) + region + 3;
        gva[OGD] = space.peerAddress(rank, MemoryType.DEVICE) + region + 5;
        gva[RGH] = space.peerAddress(peer, MemoryType.HOST) + region + 7;
        gva[RGD] = space.peerAddress(peer, MemoryType.DEVICE) + region + 9;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] local = {arena.allocate(blockBytes), arena.allocate(blockBytes)};
            BmPatterns.fill(local[LH], seed);
            String first = BmPatterns.md5(local[LH]);
            StringBuilder route = new StringBuilder(NAMES[path.get(0)]);
            for (int i = 1; i < path.size(); i++) {
                int from = path.get(i - 1);
                int to = path.get(i);
                route.append('>').append(NAMES[to]);
                if (from <= LD) {
                    CopyType type = from == LH ? (to == OGH || to == RGH ? CopyType.H2GH : CopyType.H2G)
                            : (to == OGH || to == RGH ? CopyType.L2GH : CopyType.L2G);
                    space.copy(local[from], gva[to], blockBytes, type);
                } else if (to <= LD) {
                    boolean hostWindow = from == OGH || from == RGH;
                    CopyType type = to == LH ? (hostWindow ? CopyType.GH2H : CopyType.G2H)
                            : (hostWindow ? CopyType.GH2L : CopyType.G2L);
                    local[to].fill((byte) 0);
                    space.copy(gva[from], local[to], blockBytes, type);
                } else {
                    space.copy(gva[from], gva[to], blockBytes, CopyType.G2G);
                }
            }
            String last = BmPatterns.md5(local[path.get(path.size() - 1)]);
            if (!first.equals(last)) {
                throw new IllegalStateException("all-path chain " + route + ": md5 " + first + " at the start, " + last
                        + " at the end");
            }
            return "chain ok edges=" + edges.size() + " md5=" + last + " path=" + route;
        }
    }
}
