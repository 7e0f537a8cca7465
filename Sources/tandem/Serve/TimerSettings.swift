import CoManagement
import Store

/// The timers' settings: the `timers` object of the configuration file, and the `clock` they read.
///
/// ```json
/// "timers": {"interval": "15s", "batch": 4},
/// "clock": {"file": "/tmp/tandem-clock"}      // tests only: needs serve --allow-test-clock
/// ```
struct TimerSettings: Sendable, Equatable {
    var timers = DueTimers.Configuration()
    /// A clock other than the system's; nil: the system's.
    var clock: ClockSetting?

    /// The keys each object may hold; any other is refused, as at the top level.
    static let knownKeys: [String: Set<String>] = ["timers": ["interval", "batch"], "clock": ["at", "file"]]

    /// The `timers` object as written.
    struct File: Decodable {
        var interval: FriendlyDuration?
        var batch: Int?
    }

    /// The `clock` object as written: exactly one of `at` (a pinned instant) or `file` (a file holding
    /// one, read at every run of the timers, so a test moves the clock by writing it).
    struct ClockFile: Decodable {
        var at: String?
        var file: String?
    }

    /// The settings a file asks for.
    /// - Throws: ``ConfigurationError`` naming the key at fault.
    init(_ file: File?, clock: ClockFile?) throws {
        if let interval = file?.interval?.duration {
            guard interval >= .milliseconds(10) else {
                throw ConfigurationError("timers.interval must be at least 10ms")
            }
            self.timers.interval = interval
        }
        if let batch = file?.batch {
            guard (1...1024).contains(batch) else { throw ConfigurationError("timers.batch must be 1 to 1024") }
            self.timers.batch = batch
        }
        guard let clock else { return }
        switch (clock.at, clock.file) {
        case (let text?, nil):
            guard let instant = FHIRInstant(text), text.utf8.count > 10 else {
                throw ConfigurationError("clock.at must be a FHIR instant (2026-04-20T12:00:00Z), not '\(text)'")
            }
            self.clock = .pinned(instant)
        case (nil, let path?):
            guard !path.isEmpty else { throw ConfigurationError("clock.file must name a file") }
            self.clock = .file(path)
        default:
            throw ConfigurationError("clock must hold exactly one of 'at' and 'file'")
        }
    }

    init() {}
}

/// A clock the configuration pins (tests only).
enum ClockSetting: Sendable, Equatable {
    /// Always this instant.
    case pinned(FHIRInstant)
    /// The instant written in this file (``FileClock``).
    case file(String)
}
