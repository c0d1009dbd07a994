import NIOCore

/// Runs tasks on one NIO event loop. A reply's task that prefers this executor runs where its
/// connection's bytes arrive, so each piece of the reply reaches the session without waking
/// another thread.
public final class EventLoopTaskExecutor: TaskExecutor {
    private let loop: any EventLoop

    public init(_ loop: any EventLoop) {
        self.loop = loop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
