msg = "don't panic"
print(msg.upper())
exit(0)
