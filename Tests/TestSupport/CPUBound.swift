import Foundation
import Testing

/// Runs CPU-bound tests on one thread of their own instead of Swift's cooperative pool.
///
/// The pool has as many threads as the machine has cores (two here), and a synchronous test
/// holds its thread until it returns: a handful of tests that lay out megabytes or try every
/// split of a stream held both threads for seconds at a time. Every async test, and the local
/// servers and clients they talk to, waited in line behind them; three requests to a local
/// server took over 30 s in a full run and one of them passed its deadline. Here the heavy
/// tests take turns on one thread that the kernel shares out with the rest like any other, and
/// the pool stays free for the work that waits on the network.
///
///     @Suite(.cpuBound) struct LongLineTests { … }
public struct CPUBoundTrait: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        guard testCase != nil else { return try await function() }
        try await withTaskExecutorPreference(CPUBoundExecutor.shared) { try await function() }
    }
}

extension Trait where Self == CPUBoundTrait {
    /// The test or suite is CPU-bound: it runs on a thread of its own (see ``CPUBoundTrait``).
    public static var cpuBound: Self { CPUBoundTrait() }
}

/// One thread that runs the jobs given to it in order. Sendable by hand: `jobs`, its only
/// state, is read and written with `condition` locked.
final class CPUBoundExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = CPUBoundExecutor()

    /// Guards `jobs`; signalled when one is added.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    private init() {
        let thread = Thread { [unowned self] in self.run() }
        thread.name = "cpu-bound tests"
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
