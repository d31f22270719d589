package io.pgmux.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL cluster made with the local server binaries in a fresh temporary directory.
 *
 * <p>PostgreSQL refuses to run as root, and CI runs as root, so in that case every server command
 * runs as the unprivileged OS user {@value #OS_USER} (created on first use) through runuser.
 */
final class LocalPostgres implements PostgresServer {

    private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);

    static final String OS_USER = "pgmuxtest";
    private static final String DIR_PREFIX = "pgmux-pg-";
    private static final String OWNER_FILE = "owner.pid";
    private static final String HOST = "127.0.0.1";
    /** pg_ctl gets {@code -t 60}; the process deadline adds a margin so pg_ctl reports first. */
    private static final Duration PG_CTL_DEADLINE = Duration.ofSeconds(90);
    private static final Duration QUICK_DEADLINE = Duration.ofSeconds(30);
    private static final int BIND_ATTEMPTS = 5;
    private static final int LOG_TAIL_LINES = 60;

    private final Path binDir;
    private final Path baseDir;
    private final Path dataDir;
    private final Path logFile;
    /** Empty, or the command prefix that switches to {@value #OS_USER}. */
    private final List<String> runAs;
    private int port; // guarded by this
    private boolean running; // guarded by this
    private boolean closed; // guarded by this

    private LocalPostgres(Path binDir, Path baseDir, List<String> runAs) {
        this.binDir = binDir;
        this.baseDir = baseDir;
        this.dataDir = baseDir.resolve("data");
        this.logFile = dataDir.resolve("postgres.log");
        this.runAs = runAs;
    }

    /**
     * The directory holding initdb and pg_ctl: {@code PGMUX_TEST_PG_BIN} if set, else the first
     * match on PATH, else the highest version under /usr/lib/postgresql/N/bin or /usr/pgsql-N/bin.
     */
    static Optional<Path> findBinDir() {
        String override = System.getenv("PGMUX_TEST_PG_BIN");
        if (override != null && !override.isBlank()) {
            Path dir = Path.of(override);
            if (!hasServerBinaries(dir)) {
                throw new IllegalStateException("PGMUX_TEST_PG_BIN=" + override + " holds no initdb and pg_ctl");
            }
            return Optional.of(dir);
        }
        for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!entry.isEmpty() && hasServerBinaries(Path.of(entry))) {
                return Optional.of(realBinDir(Path.of(entry)));
            }
        }
        List<Path> candidates = new ArrayList<>();
        childrenBinDirs(Path.of("/usr/lib/postgresql"), "*", candidates);
        childrenBinDirs(Path.of("/usr"), "pgsql-*", candidates);
        return candidates.stream()
                .filter(LocalPostgres::hasServerBinaries)
                .max(Comparator.comparing(LocalPostgres::version, Arrays::compare));
    }

    private static void childrenBinDirs(Path parent, String glob, List<Path> into) {
        if (!Files.isDirectory(parent)) {
            return;
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(parent, glob)) {
            children.forEach(child -> into.add(child.resolve("bin")));
        } catch (IOException e) {
            LOG.debug("cannot list {}", parent, e);
        }
    }

    /**
     * PATH often holds symlinks to one version's binaries (e.g. /usr/local/bin/initdb); the real
     * directory is the one that also has pgbench and psql, which {@link #binDir()} promises.
     */
    private static Path realBinDir(Path dir) {
        try {
            Path real = dir.resolve("initdb").toRealPath().getParent();
            return real != null && hasServerBinaries(real) ? real : dir;
        } catch (IOException e) {
            return dir;
        }
    }

    private static boolean hasServerBinaries(Path dir) {
        return Files.isExecutable(dir.resolve("initdb")) && Files.isExecutable(dir.resolve("pg_ctl"));
    }

    /** "15" from /usr/lib/postgresql/15/bin, {9, 6} from /usr/pgsql-9.6/bin; unversioned sorts first. */
    private static int[] version(Path binDir) {
        Path versionDir = binDir.getParent();
        String name = versionDir == null || versionDir.getFileName() == null ? "" : versionDir.getFileName().toString();
        String digits = name.replaceFirst("^[^0-9]*", "");
        try {
            return Arrays.stream(digits.split("\\.")).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            return new int[0];
        }
    }

    /** initdb, configure and start a new cluster in a new directory under /tmp (or java.io.tmpdir when not root). */
    static LocalPostgres create(Path binDir, PostgresCluster.Settings settings) {
        boolean root = isRoot();
        List<String> runAs = List.of();
        if (root) {
            ensureOsUser();
            runAs = runAsPrefix();
        }
        // As root, /tmp rather than java.io.tmpdir: every parent must be traversable by OS_USER.
        Path parent = root ? Path.of("/tmp") : Path.of(System.getProperty("java.io.tmpdir"));
        reapLeftovers(parent, binDir, runAs);
        Path base;
        try {
            base = Files.createTempDirectory(parent, DIR_PREFIX); // mode 0700
            Files.writeString(base.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
            if (root) {
                chownToOsUser(base);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the test cluster under " + parent, e);
        }
        LocalPostgres pg = new LocalPostgres(binDir, base, runAs);
        try {
            pg.initdb();
            pg.configure();
            pg.copyDataFiles(settings);
            pg.startOnFreePort(settings);
            return pg;
        } catch (RuntimeException e) {
            pg.close(); // the exception carries the log tail; PGMUX_TEST_PG_KEEP keeps the whole directory
            throw e;
        }
    }

    private void initdb() {
        ProcessRunner.Result result = runPg(QUICK_DEADLINE.multipliedBy(4), "initdb",
                "-D", dataDir.toString(), "-U", TestRole.SUPERUSER, "-A", "trust",
                "-E", "UTF8", "--no-locale", "--no-sync");
        if (!result.ok()) {
            throw new IllegalStateException("initdb failed in " + baseDir + ": " + result.describe());
        }
    }

    /** Our settings live in pgmux.conf, included from postgresql.conf, so the port can be rewritten. */
    private void configure() {
        writeOwned(dataDir.resolve("pg_hba.conf"), ClusterSetup.pgHba(List.of(HOST + "/32")));
        try {
            Files.writeString(dataDir.resolve("postgresql.conf"), "\ninclude 'pgmux.conf'\n",
                    StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeConf(PostgresCluster.Settings settings, int newPort) {
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("listen_addresses", HOST);
        conf.put("port", Integer.toString(newPort));
        conf.put("unix_socket_directories", socketDirectory());
        conf.put("max_connections", Integer.toString(settings.maxConnections()));
        // Durability is pointless for a throwaway cluster and costs seconds per test run.
        conf.put("fsync", "off");
        conf.put("synchronous_commit", "off");
        conf.put("full_page_writes", "off");
        conf.put("password_encryption", "scram-sha-256");
        conf.put("log_line_prefix", "%m [%p] %q%u@%d ");
        conf.putAll(settings.extraConf());
        String text = conf.entrySet().stream()
                .map(e -> e.getKey() + " = " + confLiteral(e.getValue()))
                .collect(Collectors.joining("\n", "# Written by io.pgmux.testing.LocalPostgres\n", "\n"));
        writeOwned(dataDir.resolve("pgmux.conf"), text);
    }

    /**
     * The data dir, unless the socket path would pass the ~107-byte limit of sockaddr_un (a long
     * java.io.tmpdir, as on macOS): then no Unix socket at all, since tests only use TCP.
     */
    private String socketDirectory() {
        String socketPath = dataDir + "/.s.PGSQL.65535";
        if (socketPath.getBytes(StandardCharsets.UTF_8).length > 100) {
            LOG.info("{} is too long for a Unix socket path; listening on TCP only", dataDir);
            return "";
        }
        return dataDir.toString();
    }

    /** postgresql.conf strings treat backslash as an escape, unlike standard SQL literals. */
    private static String confLiteral(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    /** FreePort can race with other processes, so a failed bind is retried on another port. */
    private synchronized void startOnFreePort(PostgresCluster.Settings settings) {
        for (int attempt = 1; ; attempt++) {
            int candidate = FreePort.find();
            writeConf(settings, candidate);
            long logOffset = logSize();
            ProcessRunner.Result result = pgCtlStart();
            if (result.ok()) {
                port = candidate;
                running = true;
                return;
            }
            String newLog = readLogFrom(logOffset);
            if (attempt < BIND_ATTEMPTS && (newLog.contains("could not bind") || newLog.contains("could not create any TCP/IP"))) {
                LOG.warn("port {} was taken before PostgreSQL could bind it; retrying on another port", candidate);
                continue;
            }
            throw startFailure(result);
        }
    }

    private ProcessRunner.Result pgCtlStart() {
        return runPg(PG_CTL_DEADLINE, "pg_ctl", "-D", dataDir.toString(), "-l", logFile.toString(),
                "-w", "-t", "60", "start");
    }

    private IllegalStateException startFailure(ProcessRunner.Result result) {
        return new IllegalStateException("PostgreSQL did not start (" + dataDir + "): " + result.describe()
                + "\n--- last lines of " + logFile + " ---\n" + logTail());
    }

    @Override
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("cluster is closed: " + describe());
        }
        if (running) {
            return;
        }
        ProcessRunner.Result result = pgCtlStart();
        if (!result.ok()) {
            throw startFailure(result);
        }
        running = true;
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        ProcessRunner.Result fast = runPg(PG_CTL_DEADLINE, "pg_ctl", "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "60", "stop");
        if (!fast.ok()) {
            LOG.warn("fast shutdown failed, trying immediate: {}", fast.describe());
            runPg(PG_CTL_DEADLINE, "pg_ctl", "-D", dataDir.toString(), "-m", "immediate", "-w", "-t", "60", "stop").orThrow();
        }
        running = false;
    }

    @Override
    public synchronized void stopImmediately() {
        if (!running) {
            return;
        }
        runPg(PG_CTL_DEADLINE, "pg_ctl", "-D", dataDir.toString(), "-m", "immediate", "-w", "-t", "60", "stop").orThrow();
        running = false;
    }

    /** The first line of postmaster.pid, which the postmaster writes when it starts and removes when it stops. */
    @Override
    public synchronized long postmasterPid() {
        try {
            return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).strip());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("no postmaster.pid in " + dataDir + "; is the server running?", e);
        }
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (RuntimeException e) {
            LOG.warn("could not stop {}", describe(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopQuietly();
        if (System.getenv("PGMUX_TEST_PG_KEEP") != null) {
            LOG.info("PGMUX_TEST_PG_KEEP is set: keeping {}", baseDir);
        } else {
            deleteRecursively(baseDir);
        }
    }

    @Override
    public String host() {
        return HOST;
    }

    @Override
    public synchronized int port() {
        return port;
    }

    @Override
    public String superuserName() {
        return TestRole.SUPERUSER;
    }

    @Override
    public String superuserPassword() {
        return null;
    }

    @Override
    public String superuserDatabase() {
        return "postgres";
    }

    @Override
    public boolean canRestart() {
        return true;
    }

    @Override
    public Path logFile() {
        return logFile;
    }

    @Override
    public String binDir() {
        return binDir.toString();
    }

    @Override
    public String describe() {
        return "local PostgreSQL from " + binDir + " at " + HOST + ":" + port() + ", data " + dataDir + ", log " + logFile;
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private long logSize() {
        try {
            return Files.exists(logFile) ? Files.size(logFile) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private String readLogFrom(long offset) {
        try {
            byte[] all = Files.readAllBytes(logFile);
            return new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Runs a PostgreSQL binary as the cluster's OS user, from the base directory (which that user can enter). */
    private ProcessRunner.Result runPg(Duration deadline, String binary, String... args) {
        return runPg(binDir, runAs, baseDir, deadline, binary, args);
    }

    private static ProcessRunner.Result runPg(Path binDir, List<String> runAs, Path workDir, Duration deadline,
                                              String binary, String... args) {
        List<String> command = new ArrayList<>(runAs);
        command.add(binDir.resolve(binary).toString());
        command.addAll(List.of(args));
        return ProcessRunner.run(command, workDir, deadline);
    }

    private void copyDataFiles(PostgresCluster.Settings settings) {
        settings.dataFiles().forEach((name, source) -> {
            Path target = dataDir.resolve(name);
            try {
                Files.copy(source, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                if (!runAs.isEmpty()) {
                    chownToOsUser(target);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy " + source + " to " + target, e);
            }
        });
    }

    private void writeOwned(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
            if (!runAs.isEmpty()) {
                chownToOsUser(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static boolean isRoot() {
        return ProcessRunner.run(List.of(tool("id"), "-u"), null, QUICK_DEADLINE).orThrow().output().strip().equals("0");
    }

    private static void ensureOsUser() {
        if (ProcessRunner.run(List.of(tool("id"), "-u", OS_USER), null, QUICK_DEADLINE).ok()) {
            return;
        }
        ProcessRunner.Result result = ProcessRunner.run(List.of(tool("useradd"), "--system", "--no-create-home",
                "--shell", "/usr/sbin/nologin", OS_USER), null, QUICK_DEADLINE);
        if (result.exitCode() == 9) { // "already exists": another test JVM created it concurrently
            return;
        }
        result.orThrow();
        LOG.info("created OS user {} to run PostgreSQL, which refuses to run as root", OS_USER);
    }

    private static List<String> runAsPrefix() {
        Optional<String> runuser = findTool("runuser");
        if (runuser.isPresent()) {
            return List.of(runuser.get(), "-u", OS_USER, "--");
        }
        Optional<String> setpriv = findTool("setpriv");
        if (setpriv.isPresent()) {
            return List.of(setpriv.get(), "--reuid=" + OS_USER, "--regid=" + OS_USER, "--init-groups", "--");
        }
        throw new IllegalStateException("running as root but neither runuser nor setpriv is installed (util-linux)");
    }

    private static void chownToOsUser(Path path) throws IOException {
        UserPrincipal owner = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(OS_USER);
        Files.setOwner(path, owner);
    }

    /** Absolute path of a system tool; sbin directories are searched too since PATH may lack them. */
    private static String tool(String name) {
        return findTool(name).orElseThrow(() -> new IllegalStateException(name + " not found on PATH or in sbin"));
    }

    private static Optional<String> findTool(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        return dirs.stream()
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .map(Path::toString)
                .findFirst();
    }

    /**
     * Removes clusters left behind by test JVMs that died without running their shutdown hook
     * (kill -9, surefire fork timeout): otherwise their postmasters would live on indefinitely.
     * A directory is only touched when the JVM recorded in it is gone.
     */
    private static void reapLeftovers(Path parent, Path binDir, List<String> runAs) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, DIR_PREFIX + "*")) {
            for (Path dir : dirs) {
                long ownerPid;
                try {
                    ownerPid = Long.parseLong(Files.readString(dir.resolve(OWNER_FILE)).strip());
                } catch (IOException | NumberFormatException | SecurityException e) {
                    continue; // still being created, or not ours to judge
                }
                if (ProcessHandle.of(ownerPid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                Path data = dir.resolve("data");
                if (Files.exists(data.resolve("postmaster.pid"))) {
                    runPg(binDir, runAs, dir, QUICK_DEADLINE, "pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "-t", "20", "stop");
                }
                deleteRecursively(dir);
                LOG.info("removed leftover test cluster {} of a JVM (pid {}) that is gone", dir, ownerPid);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not look for leftover test clusters in {}", parent, e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warn("could not delete {}", dir, e);
        }
    }
}
