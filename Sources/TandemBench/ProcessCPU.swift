import Glibc

/// CPU time this process has used, user and system, across all its threads (`getrusage`). The delivery
/// benchmark divides it by the deliveries of a round: everything of a round (forwarder, store, sink, raw
/// client) runs in this process, so the figure is what one delivery costs in all, less sensitive than a
/// rate to what else the machine is doing.
enum ProcessCPU {
    static var seconds: Double {
        var usage = rusage()
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
