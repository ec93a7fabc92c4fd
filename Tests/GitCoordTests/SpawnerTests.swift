import CoordTestSupport
import Foundation
import GitCoordSystem
import Testing

/// The one way git-coord starts work it does not wait for (`Background.start`: the background sync, the packer). What
/// it must guarantee is what keeps a hook from stalling git or the agent: the child holds nothing of its parent's but
/// the descriptor it was handed, lives in a session of its own, and outlives the parent without keeping the parent's
/// pipes open.
@Suite struct SpawnerTests {
    /// The descriptors a process has open, each with what it is.
    static func descriptors(of pid: pid_t) -> [Int32: String] {
        let folder = "/proc/\(pid)/fd"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return Dictionary(uniqueKeysWithValues: names.compactMap { name in
            Int32(name).map { ($0, (try? FileManager.default.destinationOfSymbolicLink(atPath: folder + "/" + name)) ?? "?") }
        })
    }

    /// A line of /proc/PID/status ("SigBlk:\t0000000000000000"), its value.
    static func status(_ key: String, of pid: pid_t) -> String? {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").first { $0.hasPrefix(key + ":") }.map { $0.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces) }
    }

    /// Its descriptors once it has settled in `sleep`: posix_spawn returns as soon as exec has let go of our memory,
    /// before the new program's arguments are in place and while its loader may still hold a library open.
    static func settledDescriptors(of pid: pid_t) -> [Int32: String] {
        var held = descriptors(of: pid)
        for _ in 0..<250 {
            let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            let sleeping = stat.split(separator: ")").last?.hasPrefix(" S") == true
            if comm == "sleep\n", sleeping, held.count == 4 { break }
            usleep(20_000)
            held = descriptors(of: pid)
        }
        return held
    }

    /// Kills and reaps a child once: a pid reaped is free for the next process, which must not be killed.
    final class Child {
        let pid: pid_t
        private var reaped = false
        init(_ pid: pid_t) { self.pid = pid }
        func end() {
            guard !reaped else { return }
            kill(pid, SIGKILL)
            GitCoordSystem.Background.reap(pid)
            reaped = true
        }
        deinit { end() }
    }

    @Test func theChildHoldsTheDescriptorItWasGivenAndNothingElse() throws {
        let scratch = try Scratch()
        // A descriptor of ours that is not close-on-exec, as an agent's pipe is in its hook: exec alone would pass it on.
        let stray = open(scratch.root + "/stray", O_CREAT | O_RDWR, 0o644)
        #expect(stray >= 0)
        defer { close(stray) }
        let lockPath = scratch.root + "/held.lock"
        var lock: FileLock? = try FileLock(path: lockPath)
        #expect(try lock!.tryLock())

        let child = Child(try GitCoordSystem.Background.start("/bin/sleep", ["60"], environment: [:],
                                                               passing: lock!.descriptor, name: "held-lock-sleeper"))
        let pid = child.pid
        let held = Self.settledDescriptors(of: pid)
        #expect(held == [0: "/dev/null", 1: "/dev/null", 2: "/dev/null", 3: lockPath], "\(held)")
        #expect(getsid(pid) == pid, "a session of its own: no terminal, no signal for the parent's process group")
        #expect(getpgid(pid) == pid)
        #expect(Self.status("SigBlk", of: pid) == "0000000000000000")
        // No ordinary signal ignored (glibc's spawn itself ignores its two internal ones, 32 and 33, across exec).
        let ignored = UInt64(Self.status("SigIgn", of: pid) ?? "", radix: 16)
        #expect(ignored.map { $0 & 0x7fff_ffff } == 0, "\(String(ignored ?? 0, radix: 16))")
        let arguments = try String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)
        #expect(arguments == "held-lock-sleeper\u{0}60\u{0}")

        // Ours closed, the lock stays with the child until it exits.
        lock = nil
        let other = try FileLock(path: lockPath)
        #expect(try !other.tryLock(), "the child holds the lock it was handed")
        child.end()
        #expect(try other.tryLock())
    }

    @Test func aDescriptorAmongTheStandardOnesIsPassedToo() throws {
        // A hook started with stdin closed opens its lock as descriptor 0: /dev/null must not replace it before it is
        // passed. Our own stdin stands for it here.
        let ours = try #require(Self.descriptors(of: getpid())[0])
        let child = Child(try GitCoordSystem.Background.start("/bin/sleep", ["60"], environment: [:], passing: 0))
        let held = Self.settledDescriptors(of: child.pid)
        #expect(held == [0: "/dev/null", 1: "/dev/null", 2: "/dev/null", 3: ours], "\(held)")
    }

    @Test func aMissingExecutableIsAnErrorNamingIt() {
        #expect(throws: SystemError.self) {
            try GitCoordSystem.Background.start("/nonexistent/git-coord", [], environment: [:])
        }
        do {
            _ = try GitCoordSystem.Background.start("/nonexistent/git-coord", [], environment: [:])
        } catch let error as SystemError {
            #expect(error.description == "cannot start /nonexistent/git-coord: No such file or directory")
        } catch {
            Issue.record("\(error)")
        }
    }

    /// A writer that lives on (`sync --watch` here, the MCP server alike) starts the packer every `coord.autoPack`
    /// records it wrote or received: also after its binary was replaced on disk (an upgrade: `/proc/self/exe` then
    /// names a path that is gone), and without keeping a zombie of the packer once it is done.
    @Test func aLongLivedWriterPacksAfterItsBinaryWasReplacedAndKeepsNoZombie() throws {
        let lab = try CloneLab(clones: 2, overDaemon: false)
        let scratch = lab.scratch
        let alice = try SyncTests.startSession(lab, lab.clones[0], "alice")
        _ = try SyncTests.startSession(lab, lab.clones[1], "bob")
        try scratch.git("config", "coord.autoPack", "2", in: lab.clones[1])
        let binary = scratch.root + "/installed/git-coord"
        try FileManager.default.createDirectory(atPath: scratch.root + "/installed", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: coordBinary, toPath: binary)
        let watcher = try Background(["sync", "--watch", "1s"], in: lab.clones[1], environment: scratch.environment,
                                     executable: binary)
        defer {
            watcher.kill()
            watcher.wait()
        }
        // Replaced once it runs (the shell that starts it has exec'd it).
        let started = monotonic()
        while monotonic() - started < 10,
              (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(watcher.pid)/exe")) != binary { usleep(20_000) }
        try FileManager.default.removeItem(atPath: binary)
        try FileManager.default.copyItem(atPath: coordBinary, toPath: binary)

        for index in 0..<3 { try scratch.coordOK("note", "--session", alice, "note \(index)", in: lab.clones[0]) }
        try scratch.coordOK("sync", in: lab.clones[0])
        let packs = lab.clones[1] + "/.git/coord/packs"
        let deadline = monotonic() + 15
        while monotonic() < deadline, (try? String(contentsOfFile: packs, encoding: .utf8))?.isEmpty ?? true { usleep(100_000) }
        #expect(!((try? String(contentsOfFile: packs, encoding: .utf8))?.isEmpty ?? true), "the records received were not packed")

        // The packer is done (it holds pack.lock while it works): nothing of it stays, not even a zombie.
        var children: [String] = []
        for _ in 0..<100 {
            children = Self.children(of: watcher.pid).filter { $0.contains("gc") || $0.hasSuffix(" Z") }
            if children.isEmpty { break }
            usleep(50_000)
        }
        #expect(children.isEmpty, "\(children)")
    }

    /// The children of `pid`: each its command line and, after a space, its state ("git-coord gc --auto Z").
    static func children(of pid: pid_t) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
            guard let child = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[1]) == pid else { return nil }
            let line = (try? String(contentsOfFile: "/proc/\(child)/cmdline", encoding: .utf8)) ?? ""
            let name = line.isEmpty ? String(stat[..<close].drop { $0 != "(" }.dropFirst()) : line.replacingOccurrences(of: "\u{0}", with: " ")
            return name.trimmingCharacters(in: .whitespaces) + " " + fields[0]
        }
    }

    /// End to end through the real binary: an agent's hook whose stdout, stderr and one more descriptor are pipes the
    /// agent reads starts a background sync that hangs on the network. The agent sees the end of every pipe as soon
    /// as the hook exits, while the sync goes on.
    @Test func aHookThatStartsAHangingSyncLeavesTheAgentsPipesAtOnce() throws {
        let scratch = try Scratch()
        let hole = try BlackHoleServer()
        defer { hole.close() }
        try scratch.git("remote", "add", "origin", "http://127.0.0.1:\(hole.port)/team.git")
        try scratch.coordOK("init", "--remote", "origin")
        try scratch.git("config", "coord.syncInterval", "1s")
        let event = scratch.root + "/start.json"
        try #"{"session_id":"piped","hook_event_name":"SessionStart","source":"startup","cwd":"\#(scratch.repo)"}"#
            .write(toFile: event, atomically: true, encoding: .utf8)

        // Named pipes, opened close-on-exec at once so that no other test's child takes them; dup2 in the hook's
        // start clears that there.
        var pipes: [[Int32]] = []
        for index in 0..<3 {
            let path = scratch.root + "/pipe\(index)"
            #expect(mkfifo(path, 0o600) == 0)
            let reader = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
            let writer = open(path, O_WRONLY | O_CLOEXEC)
            try #require(reader >= 0 && writer >= 0)
            pipes.append([reader, writer])
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, event, O_RDONLY, 0)
        for (ends, target) in zip(pipes, [Int32(1), 2, 5]) { posix_spawn_file_actions_adddup2(&actions, ends[1], target) }
        var environment = scratch.environment
        environment["CLAUDE_PROJECT_DIR"] = scratch.repo
        let argv: [UnsafeMutablePointer<CChar>?] = ([coordBinary, "hook", "claude"] as [String]).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        let previous = FileManager.default.currentDirectoryPath
        #expect(chdir(scratch.repo) == 0)
        var hook = pid_t()
        let started = posix_spawn(&hook, coordBinary, &actions, nil, argv, envp)
        _ = chdir(previous)
        try #require(started == 0)
        for ends in pipes { close(ends[1]) }

        // Read every pipe to its end, as the agent does; the sync it started is waiting on the black hole meanwhile.
        let begin = monotonic()
        var open = Set(pipes.map { $0[0] })
        var output: [Int32: [UInt8]] = [:]
        while !open.isEmpty, monotonic() - begin < 20 {
            var polls = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            _ = poll(&polls, nfds_t(polls.count), 200)
            for entry in polls where entry.revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 65536)
                let count = read(entry.fd, &buffer, buffer.count)
                if count > 0 {
                    output[entry.fd, default: []] += buffer[0..<count]
                } else if count == 0 || errno != EAGAIN {
                    open.remove(entry.fd)
                }
            }
        }
        let waited = monotonic() - begin
        var status: Int32 = 0
        while waitpid(hook, &status, 0) == -1 && errno == EINTR {}
        for ends in pipes { close(ends[0]) }
        #expect(open.isEmpty, "a pipe stayed open \(waited) s after the hook began: something it started holds it")
        #expect((status >> 8) & 0xff == 0)
        let context = String(decoding: output[pipes[0][0]] ?? [], as: UTF8.self)
        #expect(context.contains("hookSpecificOutput"), "the hook answered: \(context)")
        #expect(try BackgroundSyncTests.syncRunning(scratch, in: scratch.repo), "the sync it started runs on, holding the lock")
        hole.close()
        try BackgroundSyncTests.waitForIdle(scratch, in: scratch.repo)
    }
}
