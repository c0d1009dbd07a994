import CursesBackend
import Testing

@Suite struct CursesLibraryTests {
    @Test func linksTheWideCharacterNcurses() {
        #expect(CursesLibrary.version.hasPrefix("ncurses"))
        #expect(CursesLibrary.hasWideCharacters)
    }
}
