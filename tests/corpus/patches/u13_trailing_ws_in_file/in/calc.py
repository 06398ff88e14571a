value = compute()   
result = value * 2
print(result)  
