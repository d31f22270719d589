package io.pgmux.admin;

/** The console's usage, for SHOW HELP and for the hint of a statement it does not know. */
final class ConsoleHelp {
    /** One command per line, as SHOW HELP shows them. */
    static final String USAGE = String.join("\n",
            "SHOW " + ShowTarget.names(),
            "SHOW <parameter>            (client_encoding, DateStyle, application_name ...)",
            "SET key = value             (a pgmux setting; or a session parameter drivers send)",
            "PAUSE [db]                  (wait for servers to be released, then assign none)",
            "RESUME [db]",
            "SUSPEND",
            "DISABLE db",
            "ENABLE db",
            "RECONNECT [db]",
            "WAIT_CLOSE [db]",
            "KILL [db]",
            "KILL TENANT tenant",
            "KILL_CLIENT id              (the id column of SHOW CLIENTS)",
            "RELOAD",
            "SHUTDOWN [WAIT_FOR_SERVERS|WAIT_FOR_CLIENTS]");

    static final String HINT = "The console knows SHOW " + ShowTarget.names() + ", SET, PAUSE, RESUME, SUSPEND, "
            + "DISABLE, ENABLE, RECONNECT, WAIT_CLOSE, KILL, KILL TENANT, KILL_CLIENT, RELOAD and SHUTDOWN; "
            + "SHOW HELP describes them.";

    private ConsoleHelp() {
    }
}
