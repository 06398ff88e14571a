msg = "don't panic"
print(msg)
exit(0)
