@problemName Uni
@timeStamps false
@missing false
@univariate true
@equalLength true
@seriesLength 4
@classLabel true 1 2
@data
1,2,3,4:1
4,3,2,1:2
