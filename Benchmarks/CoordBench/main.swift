import CoordTestSupport
print("placeholder")
