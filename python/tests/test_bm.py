"""BigMemory from Python across real processes: upstream's all-path chain (data_op_all_path_test.py: an Eulerian path
over every valid edge between local memory and own and remote HOST/DEVICE slots, MD5 of the first block equal to the
last's), the 12 batch directions of test_smem_bm_g2g.py, and a peer's copy seen in this rank's numpy view of its own
slot without a read-back."""


def test_all_path_chain_twelve_directions_and_zero_copy(store, workers):
    first = workers("bm_worker.py", store, name="rank-a")
    a_rank = int(first.expect("joined")[1])
    second = workers("bm_worker.py", store, name="rank-b")
    b_rank = int(second.expect("joined")[1])
    assert {a_rank, b_rank} == {0, 1}

    first.send(f"chain {b_rank}")
    answer = first.expect("chain")
    assert answer[1] == "ok", answer
    assert int(answer[3]) == 24 and int(answer[2]) == 24, answer  # every valid edge, once
    assert answer[4] == answer[5]

    first.send(f"g2g {b_rank}")
    assert first.expect("g2g") == ["g2g", "ok", "12"]

    first.send(f"fill {b_rank} 7")
    first.expect("filled")
    second.send("check 7")
    assert second.expect("seen") == ["seen", "ok"]
