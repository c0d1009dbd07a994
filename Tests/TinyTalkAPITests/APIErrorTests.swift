import Foundation
import Testing

@testable import TinyTalkAPI

@Suite("APIError")
struct APIErrorTests {
    @Test(arguments: [408, 429, 500, 502, 503, 504])
    func serverTroubleIsRetryable(_ status: Int) {
        #expect(APIError.http(status: status, message: "busy", retryAfter: nil).isRetryable)
    }

    @Test(arguments: [400, 401, 403, 404, 422])
    func clientErrorsAreNotRetryable(_ status: Int) {
        #expect(!APIError.http(status: status, message: "no", retryAfter: nil).isRetryable)
    }

    @Test func brokenConnectionsAndTimeoutsAreRetryable() {
        let failures: [APIError.TransportFailure] = [.connectionRefused, .hostNotFound, .tls, .connectionReset, .other]
        for failure in failures {
            #expect(APIError.transport(failure, detail: "api.tinytalk.ai").isRetryable, "\(failure)")
        }
        #expect(APIError.timedOut(.connect(seconds: 10)).isRetryable)
        #expect(APIError.timedOut(.idle(seconds: 60)).isRetryable)
        #expect(APIError.truncated(detail: "the connection closed mid-reply").isRetryable)
    }

    @Test func refusalsBeforeSendingAreNotRetryable() {
        #expect(!APIError.invalidRequest("Temperature 3 is out of range").isRetryable)
        #expect(!APIError.insecureEndpoint(host: "example.com").isRetryable)
        #expect(!APIError.invalidResponse("not JSON").isRetryable)
    }

    @Test func httpMessageCarriesStatusAndServerMessage() {
        let error = APIError.http(status: 401, message: "Invalid API key", retryAfter: nil)
        #expect(error.message.contains("401"))
        #expect(error.message.contains("Invalid API key"))
        #expect(error.description == error.message)
    }

    @Test func httpMessageMentionsTheRequestedWait() {
        let error = APIError.http(status: 429, message: "Too many requests, slow down", retryAfter: 120)
        #expect(error.message.contains("429") && error.message.contains("slow down") && error.message.contains("120"))
        #expect(error.retryAfter == 120)
    }

    @Test func httpMessageWithoutServerMessageStillSaysWhatHappened() {
        let message = APIError.http(status: 503, message: "", retryAfter: nil).message
        #expect(message.contains("503") && message.contains("Service Unavailable"))
    }

    @Test func everyErrorHasAMessage() {
        let errors: [APIError] = [
            .invalidRequest("No bot id: pass the bot's id."), .insecureEndpoint(host: "example.com"), .http(status: 500, message: "", retryAfter: nil),
            .transport(.connectionRefused, detail: ""), .transport(.hostNotFound, detail: "nowhere.invalid"),
            .timedOut(.connect(seconds: 10)), .timedOut(.idle(seconds: 2.5)), .errorEvent("overloaded"),
            .truncated(detail: "reset"), .invalidResponse("garbage"),
        ]
        for error in errors {
            #expect(error.message.count > 10, "\(error)")
        }
        #expect(APIError.errorEvent("overloaded").message.contains("overloaded"))
        #expect(APIError.timedOut(.idle(seconds: 60)).message.contains("60"))
    }

    // MARK: Retry-After

    @Test func retryAfterInSeconds() {
        #expect(ChatClient.retryAfter("120") == 120)
        #expect(ChatClient.retryAfter(" 5 ") == 5)
        #expect(ChatClient.retryAfter("0") == 0)
    }

    @Test func retryAfterAsHTTPDateInTheFuture() throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let header = formatter.string(from: Date().addingTimeInterval(120))
        let seconds = try #require(ChatClient.retryAfter(header))
        #expect(seconds > 100 && seconds <= 121, "\(header) gave \(seconds)")
    }

    @Test func retryAfterAsHTTPDateInThePastIsZero() {
        #expect(ChatClient.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == 0)
    }

    @Test(arguments: ["soon", "", "   ", "-5", "12 seconds", "Someday, 99 Foo 2015 07:28:00 GMT", "inf", "nan"])
    func retryAfterGarbageIsNil(_ value: String) {
        #expect(ChatClient.retryAfter(value) == nil)
    }

    @Test func retryAfterMissingIsNil() {
        #expect(ChatClient.retryAfter(nil) == nil)
    }
}
