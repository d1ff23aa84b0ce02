package io.memfabric.testsupport;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** A child for {@link RankProcessTest}: prints its arguments and an environment variable, echoes stdin lines. */
public final class EchoMain {
    private EchoMain() {
    }

    public static void main(String[] args) throws Exception {
        RankProcess.exitWhenParentExits();
        System.out.println("ready args=" + String.join(",", args) + " env=" + System.getenv("ECHO_ENV"));
        System.err.println("stderr line");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("exit ")) {
                System.exit(Integer.parseInt(line.substring(5)));
            }
            System.out.println("echo " + line);
        }
    }
}
