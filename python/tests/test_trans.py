"""The transfer engine from Python across real processes: a sender writes numpy arrays into a receiver's registered
numpy arrays (seen there with no read call), the 122-block KV batch (61 x 128 KiB + 61 x 16 KiB) written and read
back, the stream forms, and the errors of an unknown session and of a range outside registered memory."""

from conftest import free_port


def test_sender_receiver_numpy_and_kv_batch(store, workers):
    decode_id = f"127.0.0.1:{free_port()}"
    prefill_id = f"127.0.0.1:{free_port()}"
    decode = workers("trans_worker.py", store, decode_id, "Decode", name="decode")
    _, kv_address, small_address = decode.expect("ready")
    prefill = workers("trans_worker.py", store, prefill_id, "Prefill", name="prefill")
    prefill.expect("ready")

    prefill.send(f"write_small {decode_id} {small_address} 3")
    assert prefill.expect("small_written") == ["small_written", "ok"]
    decode.send("check_small 3")
    assert decode.expect("small") == ["small", "ok"]

    prefill.send(f"kv {decode_id} {kv_address} 11")
    _, blocks, verdict, digest = prefill.expect("kv")
    assert (blocks, verdict) == ("122", "ok")
    decode.send("kv_digest")
    assert decode.expect("kv_digest")[1] == digest

    prefill.send("unknown")
    assert prefill.expect("unknown") == ["unknown", "-2000", "True"]
    prefill.send(f"outside {decode_id} {kv_address}")
    assert prefill.expect("outside") == ["outside", "-2000", "True"]
