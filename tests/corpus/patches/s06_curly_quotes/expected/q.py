msg = "keep calm"
print(msg)
exit(0)
