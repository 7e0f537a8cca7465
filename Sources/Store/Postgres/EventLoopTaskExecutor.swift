import NIOCore

/// Runs a task's jobs on one NIO event loop: a store call that prefers it (`withTaskExecutorPreference`)
/// resumes after each statement on the thread its connection reads from, instead of hopping to the
/// cooperative pool and back for every round trip.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
