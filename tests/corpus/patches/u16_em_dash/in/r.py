# range 1-10 -- inclusive
limit = 10
step = 1
