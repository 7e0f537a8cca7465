import CoManagement
import Foundation
import Store
import Synchronization

/// A clock for tests: the FHIR instant written in a file, read at every call, so a test moves the time of
/// a running gateway by writing the file. A missing or malformed file keeps the last time read (and
/// 1970 before any). A class: the time last read is shared by every copy the services hold.
final class FileClock: WallClock {
    let path: String
    private let last = Mutex(FHIRInstant(secondsSinceEpoch: 0))

    init(path: String) {
        self.path = path
    }

    func now() -> FHIRInstant {
        let text = (try? String(contentsOfFile: self.path, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if let text, let instant = FHIRInstant(text) {
            self.last.withLock { $0 = instant }
            return instant
        }
        return self.last.withLock { $0 }
    }
}

/// A clock stopped at one instant (the configuration's `clock.at`).
struct PinnedClock: WallClock {
    let instant: FHIRInstant

    func now() -> FHIRInstant { self.instant }
}

extension ClockSetting {
    /// The clock this setting names.
    var clock: any WallClock {
        switch self {
        case .pinned(let instant): PinnedClock(instant: instant)
        case .file(let path): FileClock(path: path)
        }
    }
}
