import GitCoordCommands

GitCoord.runAndExit()
